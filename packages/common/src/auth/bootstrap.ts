import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { ApiKeyStore } from './apiKeys.js';
import type { Scope } from './scopes.js';

/** File names of the local stack's keys inside its secrets directory (mode 0600). */
export const BOOTSTRAP_KEY_FILES: Readonly<Record<Scope, string>> = {
  'pdme:read': 'api-read.key',
  'pdme:admin': 'api-admin.key',
};

/** The stack's key for a scope, or undefined when the file is not there. */
export function readBootstrapKey(secretsDir: string, scope: Scope): string | undefined {
  const file = join(secretsDir, BOOTSTRAP_KEY_FILES[scope]);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Makes sure a read key and an admin key exist and sit in `secretsDir` (0600), for the demo, tests
 * and operators of the local stack. A key whose file is there and still verifies is kept; otherwise
 * a new one is created and written. Returns the files that were (re)written; keys are never logged.
 */
export async function ensureBootstrapKeys(redis: Redis, secretsDir: string): Promise<string[]> {
  const store = new ApiKeyStore(redis);
  const written: string[] = [];
  for (const scope of Object.keys(BOOTSTRAP_KEY_FILES) as Scope[]) {
    const existing = readBootstrapKey(secretsDir, scope);
    const principal = existing === undefined ? undefined : await store.verify(existing);
    if (principal?.scopes.includes(scope) === true) continue;
    const { key } = await store.create(scope, `stack-${scope.slice('pdme:'.length)}`);
    const file = join(secretsDir, BOOTSTRAP_KEY_FILES[scope]);
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    written.push(file);
  }
  return written;
}
