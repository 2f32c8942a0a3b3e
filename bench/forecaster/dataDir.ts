import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared real data: $PDME_DATA_DIR, else ../shared/data beside the repository. */
export function dataDir(): string {
  const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return process.env['PDME_DATA_DIR'] ?? join(repoRoot, '..', 'shared', 'data');
}

/** The paths, or undefined (after saying why) when the data is absent. */
export function requireData(...relative: string[]): string[] | undefined {
  const paths = relative.map((r) => join(dataDir(), r));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return paths;
  process.stderr.write(`skipped: real data not found (${missing.join(', ')}); set PDME_DATA_DIR\n`);
  return undefined;
}
