import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PdmeError } from '@pdme/common/errors';

/** The monorepo root: the nearest directory at or above `start` holding pnpm-workspace.yaml. */
export function findRepoRoot(start: string = dirname(fileURLToPath(import.meta.url))): string {
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
