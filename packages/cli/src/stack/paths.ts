import { join, resolve } from 'node:path';
import { repoRoot } from '@pdme/common/repo-root';

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
