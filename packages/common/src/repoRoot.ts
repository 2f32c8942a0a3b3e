import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PdmeError } from './errors/index.js';

/**
 * The workspace root: the nearest directory at or above `start` holding pnpm-workspace.yaml. Used by
 * code that reads the repository's own files (deploy templates, protos, the Kafka pom).
 */
export function repoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new PdmeError('CONFIG_INVALID', `no pnpm-workspace.yaml at or above ${start}`);
    }
    dir = parent;
  }
}
