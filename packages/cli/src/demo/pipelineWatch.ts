import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { decodeMessage } from '@pdme/common/messages';
import { MirrorAction, MirrorOutcome } from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { dnsQuery } from '../stack/dnsQuery.js';
import { sleep } from '../stack/processes.js';

export interface ForecastPoint {
  readonly resource: string;
  readonly cluster: string;
  readonly issuedMs: number;
  readonly windowMs: number;
  /** The first step: the forecast for the window starting at tsMs. */
  readonly tsMs: number;
  readonly mean: number;
  /** Peak mean over the horizon (what decision compares with the threshold). */
  readonly peak: number;
  readonly flashCrowd: boolean;
}

/** One mirror PDME placed for a (resource, cluster), from command to the CNAME seen by a DNS poll. */
export interface MirrorTimeline {
  readonly resource: string;
  readonly cluster: string;
  readonly server: string;
  readonly commandedMs: number;
  appliedMs?: number;
  failed?: string;
  late?: boolean;
  /** First poll of BIND (from the cluster's view) that answered the CNAME. */
  visibleMs?: number;
  removedMs?: number;
}

export interface PipelineCounts {
  mirrorCommands: number;
  unmirrorCommands: number;
  mirrorsCreated: number;
  mirrorsRemoved: number;
  mirrorsFailed: number;
  lateMirrors: number;
  /** Applied mirror results (CNAME added or removed): each is one DNS change. */
  dnsChanges: number;
}

export interface WatchTarget {
  readonly kafkaBootstrap: string;
  readonly bind: { readonly server: string; readonly port: number };
  /** A source address in each cluster's BIND view, to poll as that cluster's clients see it. */
  readonly probeSource: (cluster: string) => string | undefined;
}

const POLL_EVERY_MS = 100;
const POLL_FOR_MS = 30_000;

/**
 * Follows the pipeline for the demo's names (those carrying one of the run labels): forecasts,
 * mirror commands and results from Kafka, read by a group of its own from the moment it joined.
 * Each mirror command starts a DNS poll for the name in that cluster's view (every 100 ms until the
 * CNAME shows), which is how "visible" is measured. Polls begin only once PDME has decided, so they
 * cannot cause the decision they time (they do add a few queries to the series afterwards).
 */
export class PipelineWatch {
  readonly forecasts: ForecastPoint[] = [];
  readonly mirrors = new Map<string, MirrorTimeline>();
  readonly counts = new Map<string, PipelineCounts>();
  private readonly polls = new Set<Promise<void>>();
  private stopped = false;

  private constructor(
    private readonly target: WatchTarget,
    private readonly consumer: Consumer,
    private readonly kafka: Kafka,
    private readonly groupId: string,
    private readonly labels: readonly string[],
  ) {}

  static async start(target: WatchTarget, labels: readonly string[]): Promise<PipelineWatch> {
    const kafka = new Kafka({
      clientId: 'pdme-demo',
      brokers: [target.kafkaBootstrap],
      logLevel: logLevel.NOTHING,
    });
    const groupId = `pdme-demo-${randomBytes(4).toString('hex')}`;
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const watch = new PipelineWatch(target, consumer, kafka, groupId, labels);
    await consumer.connect();
    await consumer.subscribe({
      topics: [TOPICS.demandForecasts, TOPICS.mirrorCommands, TOPICS.mirrorResults],
      fromBeginning: false,
    });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    void consumer.run({
      eachMessage: ({ topic, message }) => {
        if (message.value !== null) watch.onMessage(topic, message.value);
        return Promise.resolve();
      },
    });
    await Promise.race([
      joined,
      sleep(30_000).then(() => {
        throw new Error(`demo: the Kafka consumer ${groupId} did not join within 30 s`);
      }),
    ]);
    return watch;
  }

  /** Counts for one run label (zeros until something happens). */
  countsOf(label: string): PipelineCounts {
    let counts = this.counts.get(label);
    if (counts === undefined) {
      counts = {
        mirrorCommands: 0,
        unmirrorCommands: 0,
        mirrorsCreated: 0,
        mirrorsRemoved: 0,
        mirrorsFailed: 0,
        lateMirrors: 0,
        dnsChanges: 0,
      };
      this.counts.set(label, counts);
    }
    return counts;
  }

  mirrorsOf(label: string): MirrorTimeline[] {
    return [...this.mirrors.values()].filter((m) => labelOf(m.resource, this.labels) === label);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.polls);
    await this.consumer.disconnect();
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([this.groupId]);
    } catch {
      // A group left behind expires on its own; nothing depends on deleting it.
    } finally {
      await admin.disconnect();
    }
  }

  private onMessage(topic: string, value: Buffer): void {
    const now = Date.now();
    if (topic === TOPICS.demandForecasts) {
      const f = decodeMessage(TOPICS.demandForecasts, value);
      if (labelOf(f.resource, this.labels) === undefined) return;
      const first = f.steps[0];
      this.forecasts.push({
        resource: f.resource,
        cluster: f.cluster,
        issuedMs: Number(f.issuedMs),
        windowMs: Number(f.windowMs),
        tsMs: Number(first?.tsMs ?? f.issuedMs),
        mean: first?.mean ?? 0,
        peak: f.steps.reduce((max, s) => Math.max(max, s.mean), 0),
        flashCrowd: f.flashCrowd,
      });
      return;
    }
    if (topic === TOPICS.mirrorCommands) {
      const c = decodeMessage(TOPICS.mirrorCommands, value);
      const label = labelOf(c.resource, this.labels);
      if (label === undefined) return;
      const key = `${c.cluster} ${c.resource}`;
      if (c.action === MirrorAction.MIRROR_ACTION_UNMIRROR) {
        this.countsOf(label).unmirrorCommands++;
        return;
      }
      this.countsOf(label).mirrorCommands++;
      if (this.mirrors.has(key)) return; // a resend of the same command
      const timeline: MirrorTimeline = {
        resource: c.resource,
        cluster: c.cluster,
        server: c.serverId,
        commandedMs: now,
      };
      this.mirrors.set(key, timeline);
      this.pollUntilVisible(timeline);
      return;
    }
    if (topic === TOPICS.mirrorResults) {
      const r = decodeMessage(TOPICS.mirrorResults, value);
      const label = labelOf(r.resource, this.labels);
      if (label === undefined) return;
      const counts = this.countsOf(label);
      const timeline = this.mirrors.get(`${r.cluster} ${r.resource}`);
      const unmirror = r.action === MirrorAction.MIRROR_ACTION_UNMIRROR;
      if (r.outcome === MirrorOutcome.MIRROR_OUTCOME_APPLIED) {
        counts.dnsChanges++;
        if (unmirror) {
          counts.mirrorsRemoved++;
          if (timeline !== undefined) timeline.removedMs = now;
        } else {
          counts.mirrorsCreated++;
          if (r.late) counts.lateMirrors++;
          if (timeline !== undefined) {
            timeline.appliedMs = now;
            timeline.late = r.late;
          }
        }
      } else if (r.outcome === MirrorOutcome.MIRROR_OUTCOME_FAILED) {
        counts.mirrorsFailed++;
        if (timeline !== undefined && !unmirror) timeline.failed = r.reason;
      }
    }
  }

  private pollUntilVisible(timeline: MirrorTimeline): void {
    const source = this.target.probeSource(timeline.cluster);
    if (source === undefined) return;
    const poll = (async () => {
      const until = Date.now() + POLL_FOR_MS;
      while (!this.stopped && Date.now() < until && timeline.failed === undefined) {
        const asked = Date.now();
        const answer = await dnsQuery({
          server: this.target.bind.server,
          port: this.target.bind.port,
          name: timeline.resource,
          type: 'A',
          source,
          timeoutMs: 1_000,
        }).catch(() => undefined);
        if (answer?.answers.some((a) => a.type === 'CNAME') === true) {
          timeline.visibleMs = asked;
          return;
        }
        await sleep(POLL_EVERY_MS);
      }
    })();
    this.polls.add(poll);
    void poll.finally(() => this.polls.delete(poll));
  }
}

/** The run label a demo name carries (`<object>-<label>.<zone>`), if any of ours. */
export function labelOf(resource: string, labels: readonly string[]): string | undefined {
  const first = resource.split('.')[0] ?? '';
  return labels.find((label) => first.endsWith(`-${label}`));
}
