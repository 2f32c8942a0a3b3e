/**
 * Forecast-poisoning defence: in one (resource, cluster, window), no client group (client_hash, a
 * keyed hash of a /24 or /48 prefix) may weigh more than a bounded amount, however many queries it
 * sends. Pure: counts in, capped count out; the forecaster feeds the capped count to its models.
 *
 * The cap is derived from a base that a single group cannot inflate: every group counts up to
 * `perGroupFloor`, and their sum is the window's broad base S. A group's cap is
 * max(perGroupFloor, maxShare × S). So one group, however loud, adds at most
 * max(c, q × (S_others + c)) to the window (see `floodBound`), while a crowd of many groups that
 * each stay under the floor counts in full.
 */
export interface InfluenceCapOptions {
  /** What any one group may always contribute per window (c): a busy office behind one prefix. */
  readonly perGroupFloor: number;
  /** Above the floor, a group may add at most this share of the broad base (q, 0..1). */
  readonly maxShare: number;
  /** Flag the window when one group's share of the raw count reaches this (0..1). */
  readonly dominanceShare: number;
  /** ...and the raw count is at least this: a window of three queries is not an attack. */
  readonly minFlagCount: number;
}

export const DEFAULT_INFLUENCE_CAP: InfluenceCapOptions = {
  perGroupFloor: 20,
  maxShare: 0.2,
  dominanceShare: 0.5,
  minFlagCount: 100,
};

export interface CappedCount {
  /** Contributions as received. */
  readonly rawCount: number;
  /** What the models should see. */
  readonly cappedCount: number;
  /** Distinct client groups: a breadth measure the forecaster may use on its own. */
  readonly groups: number;
  /** The per-group cap this window applied. */
  readonly groupCap: number;
  /** Groups that hit the cap. */
  readonly cappedGroups: number;
  /** The loudest group (a client hash, already anonymized) and its share of the raw count. */
  readonly topGroup: string | undefined;
  readonly topGroupShare: number;
  /** One group dominates the window: log it, alert on it, never trust the raw count. */
  readonly dominated: boolean;
}

function checkOptions(options: InfluenceCapOptions): void {
  const { perGroupFloor, maxShare, dominanceShare, minFlagCount } = options;
  if (
    !(perGroupFloor >= 1) ||
    !(maxShare >= 0 && maxShare <= 1) ||
    !(dominanceShare > 0 && dominanceShare <= 1) ||
    !(minFlagCount >= 0)
  ) {
    throw new RangeError(`influence cap: invalid options ${JSON.stringify(options)}`);
  }
}

export function groupCapFor(broadBase: number, options: InfluenceCapOptions): number {
  return Math.max(options.perGroupFloor, Math.floor(options.maxShare * broadBase));
}

/**
 * The most one group can add to a window whose other groups have broad base `othersBase`
 * (each of them counted up to the floor), whatever it sends.
 */
export function floodBound(othersBase: number, options: InfluenceCapOptions): number {
  return groupCapFor(othersBase + options.perGroupFloor, options);
}

/** Caps each group's contributions in one window; `counts` are (group, contributions) pairs. */
export function capInfluence(
  counts: Iterable<readonly [string, number]>,
  options: InfluenceCapOptions = DEFAULT_INFLUENCE_CAP,
): CappedCount {
  checkOptions(options);
  const entries = [...counts].filter(([, n]) => n > 0);
  let rawCount = 0;
  let broadBase = 0;
  let topGroup: string | undefined;
  let topCount = 0;
  for (const [group, n] of entries) {
    rawCount += n;
    broadBase += Math.min(n, options.perGroupFloor);
    if (n > topCount) {
      topCount = n;
      topGroup = group;
    }
  }
  const groupCap = groupCapFor(broadBase, options);
  let cappedCount = 0;
  let cappedGroups = 0;
  for (const [, n] of entries) {
    cappedCount += Math.min(n, groupCap);
    if (n > groupCap) cappedGroups += 1;
  }
  const topGroupShare = rawCount === 0 ? 0 : topCount / rawCount;
  return {
    rawCount,
    cappedCount,
    groups: entries.length,
    groupCap,
    cappedGroups,
    topGroup,
    topGroupShare,
    dominated: rawCount >= options.minFlagCount && topGroupShare >= options.dominanceShare,
  };
}
