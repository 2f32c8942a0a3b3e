// The at-rest envelope keyring as a file: generated at `stack up`, rotated with `pdme keys envelope`.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KEY_BYTES, isValidKeyId, parseKeyring, type KeyringDocument } from '@pdme/common/crypto';
import type { StackPaths } from './paths.js';

/** The stack's keyring document (mode 0600, beside the other secrets). */
export function envelopeKeyringFile(paths: StackPaths): string {
  return join(paths.root, 'secrets', 'envelope-keyring.json');
}

function readDocument(file: string): KeyringDocument {
  const text = readFileSync(file, 'utf8');
  parseKeyring(text); // every key checked (32 bytes, valid ids) before anything is changed
  return JSON.parse(text) as KeyringDocument;
}

/** Replaces the file in one step (rename), so a service never reads half a keyring. */
function writeDocument(file: string, document: KeyringDocument): void {
  parseKeyring(JSON.stringify(document));
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

function newKeyId(document: KeyringDocument | undefined): string {
  const taken = new Set(Object.keys(document?.keys ?? {}));
  // Date-stamped ids sort by age; the suffix keeps two rotations on one day apart. Ids never repeat.
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  for (let n = 1; ; n++) {
    const id = `k${day}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Writes a keyring with one fresh active key unless the file exists; true when it wrote one. */
export function ensureEnvelopeKeyring(file: string): boolean {
  if (existsSync(file)) return false;
  const id = newKeyId(undefined);
  writeDocument(file, { active: id, keys: { [id]: randomBytes(KEY_BYTES).toString('base64') } });
  return true;
}

/** Rotation step 1: a new key every reader learns; writers keep the active one. Returns its id. */
export function addEnvelopeKey(file: string, id?: string): string {
  const document = readDocument(file);
  const keyId = id ?? newKeyId(document);
  if (!isValidKeyId(keyId)) throw new Error(`keys: invalid key id "${keyId}" (letters, digits, . _ -)`);
  if (document.keys[keyId] !== undefined) throw new Error(`keys: key ${keyId} exists; ids are never reused`);
  writeDocument(file, {
    ...document,
    keys: { ...document.keys, [keyId]: randomBytes(KEY_BYTES).toString('base64') },
  });
  return keyId;
}

/** Rotation step 2: writers seal under `id` from their next reload on. */
export function activateEnvelopeKey(file: string, id: string): void {
  const document = readDocument(file);
  if (document.keys[id] === undefined) throw new Error(`keys: no key ${id} in ${file}; add it first`);
  writeDocument(file, { ...document, active: id });
}

/** Rotation step 3, once nothing sealed under `id` is kept: readers forget it. */
export function dropEnvelopeKey(file: string, id: string): void {
  const document = readDocument(file);
  if (document.active === id) throw new Error(`keys: ${id} is the active key; activate another first`);
  if (document.keys[id] === undefined) throw new Error(`keys: no key ${id} in ${file}`);
  const keys = Object.fromEntries(Object.entries(document.keys).filter(([other]) => other !== id));
  writeDocument(file, { ...document, keys });
}

/** Key ids and the active one: never key material. */
export function describeEnvelopeKeyring(file: string): { active: string; ids: string[] } {
  const keyring = parseKeyring(readFileSync(file, 'utf8'));
  return { active: keyring.activeId, ids: keyring.ids() };
}
