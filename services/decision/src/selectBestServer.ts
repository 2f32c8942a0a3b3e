import type { CacheServerConfig } from '@pdme/common/config';

export interface Candidate {
  readonly server: CacheServerConfig;
  readonly usedBytes: number;
  readonly healthy: boolean;
}

export interface ScoreWeights {
  readonly latency: number;
  readonly capacity: number;
  readonly diversity: number;
  readonly cost: number;
}

export interface ScoredCandidate {
  readonly candidate: Candidate;
  readonly score: number;
}

/** Free fraction of a server after placing `bytes` on it; negative when it does not fit. */
export function freeAfter(candidate: Candidate, bytes: number): number {
  return (candidate.server.capacityBytes - candidate.usedBytes - bytes) / candidate.server.capacityBytes;
}

/**
 * The seed's selectBestServer: lowest latency, most free capacity, a region not yet holding the
 * resource, lowest network cost. Each criterion is normalized to [0, 1] across the candidates so
 * the weights from config mean the same whatever the units. Higher score is better.
 */
export function scoreServers(
  candidates: readonly Candidate[],
  bytes: number,
  mirrorRegions: ReadonlySet<string>,
  weights: ScoreWeights,
): ScoredCandidate[] {
  const usable = candidates.filter((c) => c.healthy && freeAfter(c, bytes) >= 0);
  if (usable.length === 0) return [];
  const maxLatency = Math.max(...usable.map((c) => c.server.latencyMs), 1);
  const maxCost = Math.max(...usable.map((c) => c.server.cost), 1e-9);
  return usable
    .map((candidate) => {
      const latency = 1 - candidate.server.latencyMs / maxLatency;
      const capacity = freeAfter(candidate, bytes);
      const diversity = mirrorRegions.has(candidate.server.region) ? 0 : 1;
      const cost = 1 - candidate.server.cost / maxCost;
      const score =
        weights.latency * latency +
        weights.capacity * capacity +
        weights.diversity * diversity +
        weights.cost * cost;
      return { candidate, score };
    })
    .sort((a, b) => b.score - a.score || a.candidate.server.id.localeCompare(b.candidate.server.id));
}

export function selectBestServer(
  candidates: readonly Candidate[],
  bytes: number,
  mirrorRegions: ReadonlySet<string>,
  weights: ScoreWeights,
): Candidate | undefined {
  return scoreServers(candidates, bytes, mirrorRegions, weights)[0]?.candidate;
}
