import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { dnsQuery } from '@pdme/cli/dns';
import { sleep } from '@pdme/cli/processes';
import { readStackState, type StackState } from '@pdme/cli/stack';
import { REDIS_KEYS } from '@pdme/common/keys';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { ACCESS_PATH, reconcileRound, type RoundAccount } from './accounting.js';
import { bindDnstapStats, ingestDnstapRead, type Log } from './faults.js';
import { TopicCollector } from './topicCollector.js';
import {
  accessRecord,
  clientAddress,
  countedQuery,
  newSent,
  newSentAccess,
  sendCrowd,
  totalAnswered,
  type ClusterInfo,
  type SentAccess,
  type SentQueries,
} from './traffic.js';

/**
 * The accounting harness: a run over the live stack in rounds, one fault plan per round. Each round
 * sends a crowd per cluster for names unique to it (half before and during the fault, half after the
 * repair) and cache requests, waits until every crowd's CNAME is in its view and every event is
 * accounted for, and reconciles the stages. Clients use last octets 110..199 only, so no client
 * address is a prefix of another or of a cache server's (.101, .102).
 */

export interface FaultPlan {
  readonly name: string;
  /** How long the fault holds before its repair. */
  readonly holdMs: number;
  readonly inject: (h: ChaosHarness) => Promise<void>;
  readonly repair: (h: ChaosHarness) => Promise<void>;
  /** Cache servers the fault takes down (the round sends its cache requests elsewhere). */
  readonly downCaches?: readonly string[];
}

export interface HarnessOptions {
  readonly log: Log;
  /** Queries per cluster in each half of a round. */
  readonly crowd: number;
  /** Cache requests per cluster in each half of a round. */
  readonly accessRecords: number;
  /** Longest wait for a round to converge. */
  readonly convergeTimeoutMs: number;
}

interface MirrorView {
  readonly resource: string;
  readonly cluster: string;
  readonly record: MirrorRecord | undefined;
  readonly cname: string | undefined;
}

export class ChaosHarness {
  readonly rounds: RoundAccount[] = [];
  readonly usedResources = new Set<string>();
  readonly sources = new Set<string>();
  readonly windowMs: number;
  /** BIND drops counted before a BIND restart reset its counters. */
  private bindCarry = 0;
  private bindBase = 0;
  /** The same for ingest's read counter, which a restart resets. */
  private ingestCarry = 0;
  private ingestBase = 0;

  private constructor(
    readonly marker: string,
    readonly state: StackState,
    readonly collector: TopicCollector,
    readonly redis: Redis,
    readonly options: HarnessOptions,
  ) {
    const config = JSON.parse(readFileSync(state.configFile, 'utf8')) as { forecast: { windowMs: number } };
    this.windowMs = config.forecast.windowMs;
  }

  static async open(options: HarnessOptions): Promise<ChaosHarness> {
    const state = readStackState();
    if (state === undefined) throw new Error('chaos: the local stack is not up (`pnpm pdme stack up`)');
    const marker = `chaos${randomBytes(3).toString('hex')}`;
    const collector = TopicCollector.forBroker(state.kafka.bootstrap, marker);
    const redis = new Redis(state.redisUrl, { maxRetriesPerRequest: 3 });
    const harness = new ChaosHarness(marker, state, collector, redis, options);
    await collector.start();
    return harness;
  }

  async close(): Promise<void> {
    await this.collector.stop();
    this.redis.disconnect();
  }

  log(message: string): void {
    this.options.log(message);
  }

  resourceFor(slug: string, cluster: ClusterInfo): string {
    const name = `video-${this.marker}-${slug}-${cluster.id}.${this.state.bind.zone}`;
    this.usedResources.add(name);
    return name;
  }

  /** Call before BIND stops: its counters restart at zero. */
  async noteBindStop(): Promise<void> {
    const now = await bindDnstapStats(this.state);
    this.bindCarry += now.dropped - this.bindBase;
    this.bindBase = 0;
  }

  /** Call right before ingest is killed: what it read so far would vanish with its counters. */
  async noteIngestStop(): Promise<void> {
    this.ingestCarry += (await ingestDnstapRead()) - this.ingestBase;
    this.ingestBase = 0;
  }

  private async ingestReadSinceStart(): Promise<number> {
    const now = await ingestDnstapRead().catch(() => this.ingestBase);
    return this.ingestCarry + now - this.ingestBase;
  }

  private async bindDroppedSinceStart(): Promise<number> {
    const now = await bindDnstapStats(this.state).catch(() => ({ dropped: this.bindBase }));
    return this.bindCarry + now.dropped - this.bindBase;
  }

  private client(cluster: ClusterInfo, i: number): string {
    const address = clientAddress(cluster, 110 + (i % 90));
    this.sources.add(address);
    return address;
  }

  private async traffic(
    slug: string,
    sent: SentQueries,
    access: SentAccess,
    options: { spreadMs: number; downCaches: readonly string[] },
  ): Promise<void> {
    const clusters = this.state.topology;
    await Promise.all(
      clusters.flatMap((cluster) => {
        const resource = this.resourceFor(slug, cluster);
        const server = cluster.servers.find((s) => !options.downCaches.includes(s.id));
        const crowd = sendCrowd(this.state, sent, {
          resource,
          cluster,
          count: this.options.crowd,
          spreadMs: options.spreadMs,
          firstClient: 110,
        });
        const records = (async () => {
          if (server === undefined) return;
          for (let i = 0; i < this.options.accessRecords; i++)
            await accessRecord(server, resource, access, this.client(cluster, i));
        })();
        return [crowd, records];
      }),
    );
    for (const cluster of clusters)
      for (let i = 0; i < 90; i++) this.sources.add(clientAddress(cluster, 110 + i));
  }

  /** The CNAME target a cluster's view gives for `resource` (from a client in the cluster). */
  async cnameIn(cluster: ClusterInfo, resource: string, sent?: SentQueries): Promise<string | undefined> {
    const response =
      sent === undefined
        ? await dnsQuery({
            server: this.state.bind.server,
            port: this.state.bind.port,
            name: resource,
            type: 'A',
            source: this.client(cluster, 89),
            timeoutMs: 2_000,
          }).catch(() => undefined)
        : await countedQuery(this.state, sent, { resource, cluster, client: 199 });
    return response?.answers.find((a) => a.type === 'CNAME')?.data.replace(/\.$/, '');
  }

  async mirrorRecord(cluster: string, resource: string): Promise<MirrorRecord | undefined> {
    const raw = await this.redis.hget(REDIS_KEYS.mirrors(cluster), resource);
    return raw === null ? undefined : (JSON.parse(raw) as MirrorRecord);
  }

  /** Every used name in every view agrees with Redis: an applied mirror has its CNAME, no mirror none. */
  async zoneState(): Promise<{ converged: boolean; mismatches: string[]; views: MirrorView[] }> {
    const views: MirrorView[] = [];
    const mismatches: string[] = [];
    for (const resource of this.usedResources) {
      for (const cluster of this.state.topology) {
        const record = await this.mirrorRecord(cluster.id, resource);
        const cname = await this.cnameIn(cluster, resource);
        views.push({ resource, cluster: cluster.id, record, cname });
        const want = record?.state === 'applied' ? record.serverHost : undefined;
        if (record !== undefined && record.state !== 'applied')
          mismatches.push(`${resource} in ${cluster.id}: mirror ${record.state}`);
        else if (want !== cname)
          mismatches.push(
            `${resource} in ${cluster.id}: Redis says ${want ?? 'none'}, DNS says ${cname ?? 'none'}`,
          );
      }
    }
    return { converged: mismatches.length === 0, mismatches, views };
  }

  async waitZoneConverged(
    timeoutMs: number,
  ): Promise<{ converged: boolean; mismatches: string[]; ms: number }> {
    const started = Date.now();
    for (;;) {
      const { converged, mismatches } = await this.zoneState();
      if (converged || Date.now() - started > timeoutMs)
        return { converged, mismatches, ms: Date.now() - started };
      await sleep(2_000);
    }
  }

  /** One round: traffic, the fault, its repair, more traffic, convergence, reconciliation. */
  async round(plan: FaultPlan): Promise<RoundAccount> {
    const slug = plan.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    const sent = newSent();
    const access = newSentAccess();
    const downCaches = plan.downCaches ?? [];
    const notes: string[] = [];
    this.bindCarry = 0;
    this.bindBase = (await bindDnstapStats(this.state)).dropped;
    this.ingestCarry = 0;
    this.ingestBase = await ingestDnstapRead();
    this.log(`round ${plan.name}: traffic, then the fault`);
    const spreadMs = 3_000;
    const first = this.traffic(slug, sent, access, { spreadMs, downCaches });
    await sleep(spreadMs / 3);
    const injected = Date.now();
    await plan.inject(this);
    await first;
    await sleep(Math.max(0, plan.holdMs - (Date.now() - injected)));
    this.log(`round ${plan.name}: repair after ${Date.now() - injected} ms`);
    await plan.repair(this);
    const repaired = Date.now();
    await this.traffic(slug, sent, access, { spreadMs: 1_000, downCaches });

    // Converged: every crowd's CNAME in its view, matching Redis; then every event accounted for.
    const deadline = repaired + this.options.convergeTimeoutMs;
    const crowds = this.state.topology.map((cluster) => ({
      cluster,
      resource: this.resourceFor(slug, cluster),
    }));
    let mirrored = false;
    let recoveryMs: number | undefined;
    while (Date.now() < deadline) {
      const checks = await Promise.all(
        crowds.map(async ({ cluster, resource }) => {
          const cname = await this.cnameIn(cluster, resource, sent);
          const record = await this.mirrorRecord(cluster.id, resource).catch(() => undefined);
          const done = cname !== undefined && record?.state === 'applied' && record.serverHost === cname;
          // Demand goes on until the mirror is there: a crowd whose events BIND dropped while
          // dnstap reconnected would otherwise never be seen.
          if (!done) await sendCrowd(this.state, sent, { resource, cluster, count: 12, concurrency: 4 });
          return done;
        }),
      );
      if (checks.every(Boolean)) {
        mirrored = true;
        recoveryMs = Date.now() - repaired;
        break;
      }
      await sleep(1_000);
    }
    if (!mirrored) notes.push('no CNAME matching Redis for every crowd before the timeout');
    const resources = new Set(crowds.map((c) => c.resource));
    let accounted = false;
    let stable = 0;
    let lastOnTopic = -1;
    while (Date.now() < deadline + 30_000) {
      await this.collector.caughtUp().catch(() => undefined);
      const onTopic = new Set(
        this.collector.data.queries.filter((q) => resources.has(q.resource)).map((q) => q.eventId),
      ).size;
      const accessOnTopic = new Set(
        this.collector.data.access
          .filter((a) => resources.has(a.resource) && a.path === ACCESS_PATH)
          .map((a) => a.eventId),
      ).size;
      let accessSent = 0;
      for (const [r, n] of access.answered) if (resources.has(r)) accessSent += n;
      const complete = onTopic + (await this.bindDroppedSinceStart()) >= totalAnswered(sent);
      // Frames BIND kept (never delivered) never come: once all ingest read is on the topic and
      // nothing new arrived for a few seconds, the count is final.
      stable = onTopic === lastOnTopic && onTopic >= (await this.ingestReadSinceStart()) ? stable + 1 : 0;
      lastOnTopic = onTopic;
      if ((complete || stable >= 5) && accessOnTopic >= accessSent) {
        accounted = true;
        break;
      }
      await sleep(1_000);
    }
    if (!accounted) notes.push('events still missing when the round timed out');
    await this.collector.caughtUp().catch((error: unknown) => notes.push(String(error)));
    for (const crash of this.collector.crashes.splice(0))
      notes.push(`topic reader crashed and was rebuilt: ${crash}`);
    if (access.failed > 0) notes.push(`${access.failed} cache requests failed`);
    if (sent.unanswered > 0) notes.push(`${sent.unanswered} queries unanswered (not counted as sent)`);
    const account = reconcileRound({
      fault: plan.name,
      resources,
      sent,
      access,
      bindDropped: await this.bindDroppedSinceStart(),
      ingestRead: await this.ingestReadSinceStart(),
      data: this.collector.data,
      windowMs: this.windowMs,
      converged: mirrored,
      recoveryMs,
      notes,
    });
    this.rounds.push(account);
    return account;
  }
}
