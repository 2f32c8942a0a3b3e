import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PdmeError } from '../errors/index.js';
import { Keyring, loadKeyringDirectory, loadKeyringFile, parseKeyring } from './keyring.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const document = { active: 'k2', keys: { k1: k1.toString('base64'), k2: k2.toString('base64') } };

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof PdmeError && error.code === 'CONFIG_INVALID') return error.message;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdme-keyring-'));
  dirs.push(dir);
  return dir;
}

describe('Keyring', () => {
  it('parses JSON and base64-of-JSON (env var forms) alike', () => {
    const json = JSON.stringify(document);
    for (const text of [json, Buffer.from(json).toString('base64')]) {
      const ring = parseKeyring(text);
      expect(ring.activeId).toBe('k2');
      expect(ring.ids()).toEqual(['k1', 'k2']);
      expect(ring.get('k1')).toEqual(k1);
      expect(ring.activeKey().key).toEqual(k2);
    }
  });

  it('loads a document file and a directory of <id>.key files', () => {
    const dir = tempDir();
    const file = join(dir, 'keyring.json');
    writeFileSync(file, JSON.stringify(document), { mode: 0o600 });
    expect(loadKeyringFile(file).ids()).toEqual(['k1', 'k2']);

    const keysDir = tempDir();
    writeFileSync(join(keysDir, 'k1.key'), `${k1.toString('base64')}\n`);
    writeFileSync(join(keysDir, 'k2.key'), k2.toString('base64'));
    writeFileSync(join(keysDir, 'README'), 'ignored');
    const ring = loadKeyringDirectory(keysDir, 'k1');
    expect(ring.ids()).toEqual(['k1', 'k2']);
    expect(ring.activeKey().key).toEqual(k1);
  });

  it('refuses short keys, bad ids, a missing active key and non-JSON, naming no key bytes', () => {
    const short = randomBytes(16).toString('base64');
    expect(configError(() => parseKeyring(JSON.stringify({ active: 'a', keys: { a: short } })))).toMatch(
      /key a/,
    );
    expect(configError(() => parseKeyring(JSON.stringify({ active: 'a b', keys: {} })))).toMatch(
      /bad document/,
    );
    expect(configError(() => parseKeyring(JSON.stringify({ ...document, active: 'k3' })))).toMatch(/k3/);
    expect(configError(() => parseKeyring('not json'))).toMatch(/not JSON/);
    expect(configError(() => loadKeyringFile(join(tempDir(), 'missing.json')))).toMatch(/cannot read/);
    const message = configError(() => new Keyring(new Map([['k1', k1]]), 'k1').withKey('k1', k2));
    expect(message).toMatch(/never reused/);
    expect(message).not.toContain(k2.toString('base64'));
  });

  it('never shows key bytes in JSON or inspect output', () => {
    const ring = parseKeyring(JSON.stringify(document));
    const shown = `${JSON.stringify(ring)} ${inspect(ring)} ${inspect({ nested: ring }, { depth: 5 })}`;
    for (const key of [k1, k2]) {
      expect(shown).not.toContain(key.toString('base64'));
      expect(shown).not.toContain(key.toString('hex'));
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ activeId: 'k2', ids: ['k1', 'k2'] });
  });

  it('rotates immutably and refuses to drop the active key', () => {
    const one = new Keyring(new Map([['k1', k1]]), 'k1');
    const two = one.withKey('k2', k2).withActive('k2');
    expect(one.ids()).toEqual(['k1']);
    expect(two.activeId).toBe('k2');
    expect(configError(() => two.without('k2'))).toMatch(/active/);
    expect(two.without('k1').ids()).toEqual(['k2']);
  });
});
