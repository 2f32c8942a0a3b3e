import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The workspace root: the folder holding pnpm-workspace.yaml above this file. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pdme: cannot find the workspace root (pnpm-workspace.yaml)');
    dir = parent;
  }
  return dir;
}

export interface StackPaths {
  /** Everything the local stack writes: configs, data, pid files. Ignored by git. */
  readonly root: string;
  readonly logs: string;
  readonly pids: string;
  /** Downloads that survive `stack down` and clones (Maven jars): outside the clone when set. */
  readonly cache: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  const root = resolve(env['PDME_STACK_DIR'] ?? join(repoRoot(), '.pdme', 'stack'));
  return {
    root,
    logs: join(root, 'logs'),
    pids: join(root, 'pids'),
    cache: resolve(env['PDME_CACHE_DIR'] ?? join(repoRoot(), '.pdme', 'cache')),
  };
}
