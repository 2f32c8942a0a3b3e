// TSIG key files as tsig-keygen writes them: one per cluster view, created once and reused.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTsigKeyFile } from '@pdme/dns-updater';
import { requireExecutable } from './host.js';

/** Reads a `tsig-keygen` file with the same parser dns-updater signs with; throws on anything else. */
function readKeyName(file: string): string {
  try {
    return parseTsigKeyFile(readFileSync(file, 'utf8')).name;
  } catch (error) {
    throw new Error(`stack: ${file} is not a usable TSIG key file: ${String(error)}`, { cause: error });
  }
}

export function ensureTsigKey(keysDir: string, keyName: string): string {
  const file = join(keysDir, `${keyName}.key`);
  if (existsSync(file)) {
    const name = readKeyName(file);
    if (name !== keyName) throw new Error(`stack: ${file} holds key "${name}", expected "${keyName}"`);
    chmodSync(file, 0o600);
    return file;
  }
  const keygen = requireExecutable('tsig-keygen', 'bind9 bind9-dnsutils');
  const text = execFileSync(keygen, ['-a', 'hmac-sha256', keyName], { encoding: 'utf8' });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option is masked by umask and ignored for an existing file
  readKeyName(file);
  return file;
}
