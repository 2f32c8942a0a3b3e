import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { z } from 'zod';
import { PdmeError, errorMessage } from '../errors/index.js';

/** AES-256 keys: exactly 32 bytes. */
export const KEY_BYTES = 32;

/** Key ids travel in every sealed header (one length byte), so they stay short and plain. */
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** Standard base64 of exactly 32 bytes: Node's decoder is lenient, so the text is checked first. */
const KEY_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

const KeyringDocumentSchema = z.object({
  active: z.string().regex(KEY_ID),
  keys: z.record(z.string().regex(KEY_ID), z.string()),
});

/** `{"active":"k2","keys":{"k1":"<base64>","k2":"<base64>"}}`: the form files and env vars carry. */
export type KeyringDocument = z.output<typeof KeyringDocumentSchema>;

function invalid(message: string, cause?: unknown): PdmeError {
  // Messages name key ids only, never key material.
  return new PdmeError('CONFIG_INVALID', `keyring: ${message}`, { cause });
}

export function isValidKeyId(id: string): boolean {
  return KEY_ID.test(id) && Buffer.byteLength(id) <= 255;
}

/** Decodes one key from base64 text, refusing anything that is not exactly 32 bytes. */
export function decodeKey(id: string, text: string): Buffer {
  const trimmed = text.trim();
  if (!KEY_BASE64.test(trimmed)) throw invalid(`key ${id} is not base64 of ${KEY_BYTES} bytes`);
  return Buffer.from(trimmed, 'base64');
}

/**
 * Named AES-256 keys: the active one seals, every one opens. Immutable: rotation builds a new
 * keyring (`withKey`, then `withActive`) that the holder swaps in, so readers never see half a
 * change. Key bytes never show in logs, JSON or `inspect`.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly activeId: string;

  constructor(keys: ReadonlyMap<string, Buffer>, activeId: string) {
    for (const [id, key] of keys) {
      if (!isValidKeyId(id)) throw invalid(`invalid key id ${JSON.stringify(id)}`);
      if (key.length !== KEY_BYTES) throw invalid(`key ${id} has ${key.length} bytes, not ${KEY_BYTES}`);
    }
    if (!keys.has(activeId)) throw invalid(`active key ${activeId} is not in the keyring`);
    this.#keys = new Map([...keys].map(([id, key]) => [id, Buffer.from(key)]));
    this.activeId = activeId;
  }

  /** The key for `id`, or undefined when this keyring does not hold it. */
  get(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  activeKey(): { readonly id: string; readonly key: Buffer } {
    const key = this.#keys.get(this.activeId);
    if (key === undefined) throw invalid(`active key ${this.activeId} is missing`); // unreachable by construction
    return { id: this.activeId, key };
  }

  ids(): string[] {
    return [...this.#keys.keys()].sort();
  }

  /** Step 1 of a rotation: every reader learns the new key while writers keep the old one. */
  withKey(id: string, key: Buffer): Keyring {
    const existing = this.#keys.get(id);
    if (existing !== undefined && !existing.equals(key)) {
      throw invalid(`key ${id} already exists with other bytes; key ids are never reused`);
    }
    return new Keyring(new Map([...this.#keys, [id, key]]), this.activeId);
  }

  /** Step 2: writers switch to `id`; data sealed under older keys still opens. */
  withActive(id: string): Keyring {
    return new Keyring(this.#keys, id);
  }

  /** Step 3, once nothing sealed under `id` is kept any more (re-sealed or expired). */
  without(id: string): Keyring {
    if (id === this.activeId) throw invalid(`cannot drop the active key ${id}`);
    return new Keyring(new Map([...this.#keys].filter(([other]) => other !== id)), this.activeId);
  }

  toJSON(): { activeId: string; ids: string[] } {
    return { activeId: this.activeId, ids: this.ids() };
  }

  [inspect.custom](): string {
    return `Keyring(active=${this.activeId}, ids=${this.ids().join(',')})`;
  }
}

export function keyringFromDocument(document: KeyringDocument): Keyring {
  const keys = new Map<string, Buffer>();
  for (const [id, text] of Object.entries(document.keys)) keys.set(id, decodeKey(id, text));
  return new Keyring(keys, document.active);
}

/** Parses a keyring document given as JSON text or as base64 of that JSON (handy in env vars). */
export function parseKeyring(text: string): Keyring {
  const trimmed = text.trim();
  const json = trimmed.startsWith('{') ? trimmed : Buffer.from(trimmed, 'base64').toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw invalid('not JSON (nor base64 of JSON)', error);
  }
  const parsed = KeyringDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(
      `bad document: ${parsed.error.issues.map((i) => i.path.join('.') || i.message).join(', ')}`,
    );
  }
  return keyringFromDocument(parsed.data);
}

/** A keyring document in one file (e.g. a Kubernetes Secret key mounted as a file). */
export function loadKeyringFile(path: string): Keyring {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read ${path}: ${errorMessage(error)}`, error);
  }
  return parseKeyring(text);
}

/**
 * One file per key, `<id>.key` holding base64 (a mounted Secret whose keys are file names), and
 * the active id from config: adding a key is adding a file, activating it is a config change.
 */
export function loadKeyringDirectory(dir: string, activeId: string): Keyring {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.key'));
  } catch (error) {
    throw invalid(`cannot read ${dir}: ${errorMessage(error)}`, error);
  }
  const keys = new Map<string, Buffer>();
  for (const name of names) {
    const id = name.slice(0, -'.key'.length);
    keys.set(id, decodeKey(id, readFileSync(join(dir, name), 'utf8')));
  }
  return new Keyring(keys, activeId);
}
