export interface NelderMeadOptions {
  readonly maxEvaluations?: number;
  /** Stop when the simplex's values differ by less than this (relative). */
  readonly tolerance?: number;
  /** Initial step per coordinate. */
  readonly step?: number;
}

export interface Minimum {
  readonly x: number[];
  readonly value: number;
  readonly evaluations: number;
}

/**
 * Nelder-Mead simplex minimisation (standard coefficients). Derivative-free, so it suits smoothing
 * parameters whose loss is only available by running the filter; callers map the box constraints
 * themselves (e.g. through a logistic), which keeps this routine unconstrained and small.
 */
export function nelderMead(
  f: (x: number[]) => number,
  start: readonly number[],
  options: NelderMeadOptions = {},
): Minimum {
  const maxEvaluations = options.maxEvaluations ?? 200 * start.length;
  const tolerance = options.tolerance ?? 1e-6;
  const step = options.step ?? 0.5;
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]): number => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) ? value : Number.MAX_VALUE;
  };
  const simplex: { x: number[]; value: number }[] = [{ x: [...start], value: evaluate([...start]) }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = (x[i] ?? 0) + step;
    simplex.push({ x, value: evaluate(x) });
  }
  const combine = (a: readonly number[], b: readonly number[], t: number): number[] =>
    a.map((ai, i) => ai + t * ((b[i] ?? 0) - ai));
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.value - b.value);
    const best = simplex[0];
    const worst = simplex[n];
    const secondWorst = simplex[n - 1];
    if (best === undefined || worst === undefined || secondWorst === undefined) break;
    if (Math.abs(worst.value - best.value) <= tolerance * (Math.abs(best.value) + 1e-12)) break;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const vertex = simplex[i];
      if (vertex === undefined) continue;
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] ?? 0) + (vertex.x[j] ?? 0) / n;
    }
    const reflected = combine(centroid, worst.x, -1);
    const reflectedValue = evaluate(reflected);
    if (reflectedValue < best.value) {
      const expanded = combine(centroid, worst.x, -2);
      const expandedValue = evaluate(expanded);
      simplex[n] =
        expandedValue < reflectedValue
          ? { x: expanded, value: expandedValue }
          : { x: reflected, value: reflectedValue };
      continue;
    }
    if (reflectedValue < secondWorst.value) {
      simplex[n] = { x: reflected, value: reflectedValue };
      continue;
    }
    const outside = reflectedValue < worst.value;
    const contracted = combine(centroid, outside ? reflected : worst.x, 0.5);
    const contractedValue = evaluate(contracted);
    if (contractedValue < Math.min(reflectedValue, worst.value)) {
      simplex[n] = { x: contracted, value: contractedValue };
      continue;
    }
    // Shrink towards the best vertex.
    for (let i = 1; i <= n; i++) {
      const vertex = simplex[i];
      if (vertex === undefined) continue;
      const x = combine(best.x, vertex.x, 0.5);
      simplex[i] = { x, value: evaluate(x) };
    }
  }
  simplex.sort((a, b) => a.value - b.value);
  const best = simplex[0] ?? { x: [...start], value: Number.NaN };
  return { x: best.x, value: best.value, evaluations };
}

/** Maps an unconstrained number into (lo, hi). */
export function squash(u: number, lo: number, hi: number): number {
  return lo + (hi - lo) / (1 + Math.exp(-u));
}

/** The inverse of `squash`. */
export function unsquash(v: number, lo: number, hi: number): number {
  const p = Math.min(Math.max((v - lo) / (hi - lo), 1e-6), 1 - 1e-6);
  return Math.log(p / (1 - p));
}
