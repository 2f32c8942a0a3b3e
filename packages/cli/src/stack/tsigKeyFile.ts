// TSIG key files as tsig-keygen writes them: one per cluster view, created once and reused.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireExecutable } from './host.js';

export interface TsigSecret {
  name: string;
  algorithm: string;
  /** Base64, as in the key file. */
  secret: string;
}

/** Parses a `tsig-keygen` file: `key "name" { algorithm hmac-sha256; secret "base64"; };`. */
export function readTsigSecret(file: string): TsigSecret {
  const text = readFileSync(file, 'utf8');
  const name = /\bkey\s+"?([^"\s{]+)"?\s*\{/.exec(text)?.[1];
  const algorithm = /\balgorithm\s+"?([A-Za-z0-9-]+)"?\s*;/.exec(text)?.[1];
  const secret = /\bsecret\s+"([A-Za-z0-9+/=]+)"\s*;/.exec(text)?.[1];
  if (name === undefined || algorithm === undefined || secret === undefined) {
    throw new Error(
      `stack: ${file} is not a TSIG key file (expected key "name" { algorithm ...; secret "..."; };)`,
    );
  }
  return { name, algorithm: algorithm.toLowerCase(), secret };
}

export function ensureTsigKey(keysDir: string, keyName: string): string {
  const file = join(keysDir, `${keyName}.key`);
  if (existsSync(file)) {
    const parsed = readTsigSecret(file);
    if (parsed.name !== keyName)
      throw new Error(`stack: ${file} holds key "${parsed.name}", expected "${keyName}"`);
    chmodSync(file, 0o600);
    return file;
  }
  const keygen = requireExecutable('tsig-keygen', 'bind9 bind9-dnsutils');
  const text = execFileSync(keygen, ['-a', 'hmac-sha256', keyName], { encoding: 'utf8' });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option is masked by umask and ignored for an existing file
  readTsigSecret(file);
  return file;
}
