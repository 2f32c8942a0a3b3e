import { Kafka, logLevel } from 'kafkajs';
import { sleep } from '@pdme/cli/processes';
import { SERVICE_NAMES, type ServiceName } from '@pdme/cli/stack';
import { GROUPS, TOPICS } from '@pdme/common/topics';
import { groupRssBytes } from './faults.js';
import type { ChaosHarness } from './harness.js';
import { newSent, sendCrowd, totalAnswered } from './traffic.js';

/**
 * A soak at steady load: every second a fixed number of queries over a fixed set of names per
 * cluster (one of them above the mirror threshold, so mirrors stay), sampling each service's RSS
 * (/proc/<pid>/status, the whole process group) and each consumer group's lag every interval.
 *
 * Flatness rule: for each service, the median RSS of the last third of the samples may exceed the
 * median of the first third by at most max(25 %, 48 MiB). Node's heap grows in steps and collects
 * lazily, so a single sample says little; medians of thirds ignore one-off GC peaks, and a leak of
 * a few KiB per event at this load still crosses the bound within ten minutes.
 */

export interface SoakSample {
  readonly atMs: number;
  readonly rss: Record<ServiceName, number>;
  /** Messages not yet committed per consumer group, over all partitions of its topic. */
  readonly lag: Record<string, number>;
}

export interface SoakResult {
  readonly samples: SoakSample[];
  readonly sent: number;
  readonly onTopic: number;
  /** Per service: first-third median, last-third median (bytes), growth ratio, flat or not. */
  readonly verdict: Record<ServiceName, { first: number; last: number; growth: number; flat: boolean }>;
}

const LAGGED = [
  { group: GROUPS.forecaster, topic: TOPICS.dnsQueries },
  { group: GROUPS.decision, topic: TOPICS.demandForecasts },
  { group: GROUPS.decisionResults, topic: TOPICS.mirrorResults },
  { group: GROUPS.dnsUpdater, topic: TOPICS.mirrorCommands },
] as const;

export const FLAT_RATIO = 0.25;
export const FLAT_BYTES = 48 * 1024 * 1024;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export function flatness(samples: readonly SoakSample[]): SoakResult['verdict'] {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const verdict = {} as SoakResult['verdict'];
  for (const service of SERVICE_NAMES) {
    const first = median(samples.slice(0, third).map((s) => s.rss[service]));
    const last = median(samples.slice(-third).map((s) => s.rss[service]));
    const growth = first > 0 ? last / first - 1 : 0;
    verdict[service] = {
      first,
      last,
      growth,
      flat: last - first <= Math.max(FLAT_RATIO * first, FLAT_BYTES),
    };
  }
  return verdict;
}

async function consumerLag(kafka: Kafka): Promise<Record<string, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const lag: Record<string, number> = {};
    for (const { group, topic } of LAGGED) {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      let total = 0;
      for (const end of ends) {
        const at = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        total += Number(end.high) - (at < 0 ? Number(end.low) : at);
      }
      lag[group] = total;
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

export async function soak(
  h: ChaosHarness,
  options: {
    durationMs: number;
    intervalMs: number;
    queriesPerSecond: number;
    onSample?: (s: SoakSample) => void;
  },
): Promise<SoakResult> {
  const kafka = new Kafka({
    clientId: 'pdme-chaos-soak',
    brokers: [h.state.kafka.bootstrap],
    logLevel: logLevel.NOTHING,
  });
  const sent = newSent();
  const names = h.state.topology.map((cluster) => ({
    cluster,
    hot: h.resourceFor('soak-hot', cluster),
    cool: Array.from({ length: 10 }, (_, i) => h.resourceFor(`soak-${i}`, cluster)),
  }));
  const samples: SoakSample[] = [];
  const started = Date.now();
  let nextSample = started;
  for (let second = 0; Date.now() - started < options.durationMs; second++) {
    const tick = Date.now();
    if (tick >= nextSample) {
      const rss = {} as Record<ServiceName, number>;
      for (const service of SERVICE_NAMES) rss[service] = groupRssBytes(service);
      const sample = { atMs: tick - started, rss, lag: await consumerLag(kafka).catch(() => ({})) };
      samples.push(sample);
      options.onSample?.(sample);
      nextSample += options.intervalMs;
    }
    // Per cluster: half the load on the hot name (above the video threshold), the rest spread.
    const perCluster = Math.max(2, Math.floor(options.queriesPerSecond / names.length));
    await Promise.all(
      names.flatMap(({ cluster, hot, cool }) => [
        sendCrowd(h.state, sent, {
          resource: hot,
          cluster,
          count: Math.ceil(perCluster / 2),
          concurrency: 4,
        }),
        sendCrowd(h.state, sent, {
          resource: cool[second % cool.length] ?? hot,
          cluster,
          count: Math.floor(perCluster / 2),
          concurrency: 4,
        }),
      ]),
    );
    await sleep(Math.max(0, 1_000 - (Date.now() - tick)));
  }
  await h.collector.caughtUp().catch(() => undefined);
  await sleep(2_000);
  await h.collector.caughtUp().catch(() => undefined);
  const mine = new Set(names.flatMap((n) => [n.hot, ...n.cool]));
  const onTopic = new Set(h.collector.data.queries.filter((q) => mine.has(q.resource)).map((q) => q.eventId))
    .size;
  return { samples, sent: totalAnswered(sent), onTopic, verdict: flatness(samples) };
}

export function formatSample(s: SoakSample): string {
  const mib = (b: number) => (b / 1024 / 1024).toFixed(0);
  const rss = SERVICE_NAMES.map((name) => `${name} ${mib(s.rss[name])}`).join(', ');
  const lag = Object.entries(s.lag)
    .map(([g, n]) => `${g} ${n}`)
    .join(', ');
  return `t=${(s.atMs / 1000).toFixed(0)}s RSS MiB: ${rss} | lag: ${lag}`;
}
