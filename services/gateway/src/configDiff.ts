/** One changed leaf between two config documents; a missing side means added or removed. */
export interface ConfigChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function walk(before: unknown, after: unknown, path: string, out: ConfigChange[]): void {
  if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) {
    const b = before as Record<string, unknown>;
    const a = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
    for (const key of keys) walk(b[key], a[key], path === '' ? key : `${path}.${key}`, out);
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  out.push({
    path: path === '' ? '(root)' : path,
    ...(before === undefined ? {} : { before }),
    ...(after === undefined ? {} : { after }),
  });
}

/** The changed leaves, by dotted path (`resourceTypes.0.threshold`), in path order. */
export function configDiff(before: unknown, after: unknown): ConfigChange[] {
  const out: ConfigChange[] = [];
  walk(before, after, '', out);
  return out;
}
