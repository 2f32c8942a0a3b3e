import { PdmeError } from '@pdme/common/errors';

/** A capacity as given on the command line: an absolute amount or a percentage of the trace's total. */
export type CapacitySpec =
  | { readonly kind: 'absolute'; readonly amount: number }
  | { readonly kind: 'percent'; readonly percent: number };

/** Parses `N` or `P%` (one value; lists are split by the caller). */
export function parseCapacity(text: string, what: string): CapacitySpec {
  const trimmed = text.trim();
  if (trimmed.endsWith('%')) {
    const percent = Number(trimmed.slice(0, -1));
    if (!(percent > 0 && percent <= 100)) {
      throw new PdmeError('BAD_INPUT', `${what} must be a percentage in (0, 100], got ${text}`);
    }
    return { kind: 'percent', percent };
  }
  const amount = Number(trimmed);
  if (!(amount > 0) || !Number.isFinite(amount)) {
    throw new PdmeError('BAD_INPUT', `${what} must be a positive number or a percentage, got ${text}`);
  }
  return { kind: 'absolute', amount };
}

/** The amount a spec stands for, given the trace's total (distinct objects or their bytes). */
export function resolveCapacity(spec: CapacitySpec, total: number): number {
  return spec.kind === 'absolute' ? spec.amount : Math.max(1, Math.round((total * spec.percent) / 100));
}

export function formatCapacity(spec: CapacitySpec): string {
  return spec.kind === 'absolute' ? String(spec.amount) : `${spec.percent}%`;
}

/** Splits an amount evenly over clusters; the first ones get the remainder. */
export function splitEvenly(total: number, parts: number, index: number): number {
  if (!Number.isFinite(total)) return total;
  const base = Math.floor(total / parts);
  return base + (index < total - base * parts ? 1 : 0);
}
