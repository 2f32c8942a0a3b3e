import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { readTrace } from '../sim/readTrace.js';
import type { Trace } from '../sim/trace.js';
import type { StackState } from '../stack/stack.js';
import { clusterClient } from '../stack/dns.js';
import { sleep } from '../stack/processes.js';
import {
  announceEvent,
  readDecisionsPaused,
  setDecisionsPaused,
  type GatewayTarget,
} from './gatewayClient.js';
import type { LiveSnapshot, LiveView } from './liveView.js';
import { logOffset, originTally } from './originLog.js';
import { PipelineWatch, type PipelineCounts } from './pipelineWatch.js';
import { planReplay, type ReplayPlan } from './replayPlan.js';
import { replayRun, resourceName, type RequestRecord } from './replayRun.js';
import { summarizeRun, type RunMode, type RunSummary } from './runSummary.js';
import { DEMO_WORKLOAD_DEFAULTS, generateDemoWorkload, type WorkloadCrowd } from './workload.js';
import { FITTED_WORKLOAD } from './workloadFit.js';

export interface ReplayDemoOptions {
  /** A trace in the simulator's CSV format; the generated workload when absent. */
  readonly trace?: string;
  /** Trace ms per real ms; by default the whole trace (or generated day) fits the duration. */
  readonly speed?: number;
  /** Real time of each run (the demo makes two: caches only, then with PDME). */
  readonly durationMs: number;
  /** Mean requests per second of the generated workload (crowds come on top). */
  readonly rate: number;
  /** A replayed trace is sampled down to this many requests per second. */
  readonly maxRate: number;
  readonly seed: number;
  /** Runs, in order; both by default. */
  readonly modes: readonly RunMode[];
  /** Hit-ratio points per run in the report and plot. */
  readonly buckets: number;
  /** Wait after each run's last request, for the pipeline's last results. */
  readonly drainMs: number;
  readonly log: (message: string) => void;
  readonly view?: LiveView;
  /** Aborting stops the replay early; decision.paused is restored all the same. */
  readonly signal?: AbortSignal;
}

export const REPLAY_DEMO_DEFAULTS = {
  durationMs: 45_000,
  rate: 25,
  maxRate: 60,
  seed: 1,
  modes: ['reactive', 'pdme'] as readonly RunMode[],
  buckets: 30,
  drainMs: 4_000,
} as const;

const CLIENTS_PER_CLUSTER = 36;
const MAX_IN_FLIGHT = 64;

export interface DemoWorkloadInfo {
  readonly source: 'generated' | 'trace';
  readonly trace?: string;
  readonly fit?: typeof FITTED_WORKLOAD;
  readonly traceRequests: number;
  readonly sampled: number;
  readonly speed: number;
  readonly objects: number;
  readonly requestsPerRun: number;
  readonly crowds: readonly {
    object: string;
    announced: boolean;
    startS: number;
    endS: number;
    requests: number;
  }[];
}

export interface ReplayDemoResult {
  readonly runId: string;
  readonly workload: DemoWorkloadInfo;
  readonly runs: readonly RunSummary[];
  readonly records: ReadonlyMap<RunMode, readonly RequestRecord[]>;
  readonly watch: { readonly forecasts: PipelineWatch['forecasts'] };
  readonly windowMs: number;
  readonly loadAverage: readonly number[];
  /** Whether `decision.paused` was put back as it was (checked by reading it again). */
  readonly configRestored: boolean;
}

/** Loads (or generates) the workload and plans its replay on this stack. */
async function prepare(
  state: StackState,
  options: ReplayDemoOptions,
): Promise<{ plan: ReplayPlan; crowds: readonly WorkloadCrowd[]; trace: Trace; generated: boolean }> {
  const clusters = state.topology.map((c) => c.id);
  let trace: Trace;
  let crowds: readonly WorkloadCrowd[] = [];
  if (options.trace !== undefined) {
    trace = await readTrace(options.trace);
  } else {
    const workload = generateDemoWorkload({
      ...DEMO_WORKLOAD_DEFAULTS,
      seed: options.seed,
      clusters,
      requests: Math.round((options.rate * options.durationMs) / 1000),
    });
    trace = workload.trace;
    crowds = workload.crowds;
  }
  const plan = planReplay(trace, {
    clusters,
    clientsPerCluster: CLIENTS_PER_CLUSTER,
    speed: options.speed,
    durationMs: options.durationMs,
    maxRate: options.trace === undefined ? Infinity : options.maxRate,
    seed: options.seed,
  });
  return { plan, crowds, trace, generated: options.trace === undefined };
}

function windowMsOf(state: StackState): number {
  const config = JSON.parse(readFileSync(state.configFile, 'utf8')) as { forecast?: { windowMs?: number } };
  return config.forecast?.windowMs ?? 5_000;
}

/** The crowd's highest count in one forecaster window and cluster: what the announcement expects. */
function crowdIntensity(plan: ReplayPlan, object: number, windowMs: number): number {
  const counts = new Map<string, number>();
  for (const r of plan.requests) {
    if (r.object !== object) continue;
    const key = `${r.cluster} ${Math.floor(r.atMs / windowMs)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(1, ...counts.values());
}

/**
 * The replay demo: the same plan replayed as real traffic once with PDME's decisions paused (caches
 * only react) and once live, each on names of its own; measured at the clients (X-Cache-Status),
 * in Kafka (forecasts, mirror commands and results), by DNS polls and at the origin.
 * `decision.paused` is always put back as it was.
 */
export async function runReplayDemo(
  state: StackState,
  options: ReplayDemoOptions,
): Promise<ReplayDemoResult> {
  const { log } = options;
  const { plan, crowds, trace, generated } = await prepare(state, options);
  const windowMs = windowMsOf(state);
  const runId = randomBytes(3).toString('hex');
  const labelOf = (mode: RunMode): string => `${runId}${mode === 'pdme' ? 'p' : 'r'}`;
  const labels = options.modes.map(labelOf);
  // Spread over several /24s of each cluster's client subnets: one /24 is one anonymized client group.
  const clients = state.topology.map((c) =>
    Array.from({ length: CLIENTS_PER_CLUSTER }, (_, i) => clusterClient(c, i)),
  );
  const gateway: GatewayTarget = {
    http: state.gateway.http,
    configFile: state.configFile,
    decisionOpsPort: state.opsPorts.decision,
  };
  const crowdObjects = crowds.map((crowd) => ({
    crowd,
    object: plan.objects.findIndex((o) => o.label === crowd.object),
  }));
  const workload: DemoWorkloadInfo = {
    source: generated ? 'generated' : 'trace',
    ...(options.trace === undefined ? { fit: FITTED_WORKLOAD } : { trace: options.trace }),
    traceRequests: plan.traceRequests,
    sampled: plan.sampled,
    speed: plan.speed,
    objects: plan.objects.length,
    requestsPerRun: plan.requests.length,
    crowds: crowdObjects.map(({ crowd, object }) => ({
      object: crowd.object,
      announced: crowd.announced,
      startS: (crowd.startMs - plan.traceStartMs) / plan.speed / 1000,
      endS: (crowd.endMs - plan.traceStartMs) / plan.speed / 1000,
      requests: plan.requests.filter((r) => r.object === object).length,
    })),
  };
  log(
    `demo ${runId}: ${plan.requests.length} requests per run over ${(plan.durationMs / 1000).toFixed(0)} s ` +
      `(${generated ? 'generated workload' : `trace ${options.trace ?? ''}`}, ${trace.objectNames.length} objects, speed ${plan.speed.toFixed(0)}x` +
      `${plan.sampled < 1 ? `, sampled ${(100 * plan.sampled).toFixed(1)} %` : ''}), runs: ${options.modes.join(' then ')}`,
  );
  const watch = await PipelineWatch.start(
    {
      kafkaBootstrap: state.kafka.bootstrap,
      bind: state.bind,
      probeSource: (cluster) => state.bind.views.find((v) => v.cluster === cluster)?.probeSource,
    },
    labels,
  );
  const runs: RunSummary[] = [];
  const records = new Map<RunMode, readonly RequestRecord[]>();
  let original: boolean | undefined;
  let paused = false;
  let touched = false;
  let configRestored = true;
  try {
    for (const mode of options.modes) {
      const runLabel = labelOf(mode);
      if (mode === 'reactive' && !paused) {
        touched = true;
        paused = true;
        original = await setDecisionsPaused(gateway, true);
        log(
          `run ${runLabel}: PDME's decisions paused (live config decision.paused = true); caches only react`,
        );
      } else if (mode === 'pdme' && paused) {
        await setDecisionsPaused(gateway, original);
        paused = false;
        log(`run ${runLabel}: PDME's decisions live again`);
      } else {
        log(`run ${runLabel}: ${mode === 'pdme' ? 'with PDME' : 'caches only'}`);
      }
      const summary = await oneRun(state, options, {
        mode,
        runLabel,
        plan,
        clients,
        crowdObjects,
        windowMs,
        watch,
        gateway,
        records,
      });
      runs.push(summary);
    }
  } finally {
    options.view?.stop();
    if (paused) {
      try {
        await setDecisionsPaused(gateway, original);
      } catch (error) {
        log(
          `demo: could not restore decision.paused (${error instanceof Error ? error.message : String(error)}); PATCH /pdme/config by hand`,
        );
      }
    }
    if (touched) configRestored = (await readDecisionsPaused(gateway).catch(() => true)) === original;
    await watch.stop();
  }
  return {
    runId,
    workload,
    runs,
    records,
    watch: { forecasts: watch.forecasts },
    windowMs,
    loadAverage: loadavg(),
    configRestored,
  };
}

interface RunContext {
  readonly mode: RunMode;
  readonly runLabel: string;
  readonly plan: ReplayPlan;
  readonly clients: readonly (readonly string[])[];
  readonly crowdObjects: readonly { crowd: WorkloadCrowd; object: number }[];
  readonly windowMs: number;
  readonly watch: PipelineWatch;
  readonly gateway: GatewayTarget;
  readonly records: Map<RunMode, readonly RequestRecord[]>;
}

async function oneRun(state: StackState, options: ReplayDemoOptions, ctx: RunContext): Promise<RunSummary> {
  const { plan, runLabel, watch } = ctx;
  const zone = state.bind.zone;
  const originFrom = await logOffset(state.caches.origin.accessLog);
  const startedMs = Date.now() + 500;
  const crowds: { resource: string; announced: boolean; announcedMs: number | undefined }[] = [];
  for (const { crowd, object } of ctx.crowdObjects) {
    const resource = resourceName(crowd.object, runLabel, zone);
    let announcedMs: number | undefined;
    if (crowd.announced && object >= 0) {
      // Announced as it happens in the workload: from the run's start, for the crowd's real window.
      const startMs = startedMs + Math.round((crowd.startMs - plan.traceStartMs) / plan.speed);
      const endMs = startedMs + Math.round((crowd.endMs - plan.traceStartMs) / plan.speed);
      announcedMs = Date.now();
      await announceEvent(ctx.gateway, {
        eventId: `demo-${runLabel}-${crowd.object}`,
        resources: [resource],
        intensity: crowdIntensity(plan, object, ctx.windowMs),
        startMs,
        endMs,
      });
      options.log(
        `run ${runLabel}: announced ${resource} via POST /pdme/events, crowd due in ${((startMs - announcedMs) / 1000).toFixed(1)} s`,
      );
    }
    crowds.push({ resource, announced: crowd.announced, announcedMs });
  }
  const live: RequestRecord[] = [];
  const snapshot = (): LiveSnapshot => liveSnapshot(ctx, live, startedMs);
  options.view?.start(snapshot);
  const result = await replayRun(
    plan,
    {
      bind: state.bind,
      zone,
      originAddress: state.caches.origin.address,
      servers: state.caches.servers,
      clients: ctx.clients,
    },
    {
      runLabel,
      maxInFlight: MAX_IN_FLIGHT,
      startMs: startedMs,
      onRecord: (r) => live.push(r),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
  );
  const endedMs = Date.now();
  await sleep(options.drainMs);
  options.view?.finish(snapshot());
  ctx.records.set(ctx.mode, result);
  const origin = (await originTally(state.caches.origin.accessLog, originFrom, [runLabel])).get(runLabel) ?? {
    requests: 0,
    bytes: 0,
  };
  const pipeline: PipelineCounts = { ...watch.countsOf(runLabel) };
  return summarizeRun({
    mode: ctx.mode,
    runLabel,
    plan,
    records: result,
    startedMs,
    endedMs,
    buckets: options.buckets,
    pipeline,
    mirrors: watch.mirrorsOf(runLabel).map((m) => ({ ...m })),
    origin,
    crowds,
  });
}

function liveSnapshot(ctx: RunContext, live: readonly RequestRecord[], startedMs: number): LiveSnapshot {
  const now = Date.now();
  const counts = ctx.watch.countsOf(ctx.runLabel);
  const recent = live.filter((r) => r.sentMs > now - 5_000).length;
  const window = Math.floor(now / ctx.windowMs) * ctx.windowMs - ctx.windowMs;
  const per = new Map<string, { name: string; cluster: string; total: number; actual: number }>();
  for (const r of live) {
    const key = `${r.cluster} ${r.resource}`;
    const entry = per.get(key) ?? { name: r.resource, cluster: r.cluster, total: 0, actual: 0 };
    entry.total++;
    if (r.sentMs >= window && r.sentMs < window + ctx.windowMs) entry.actual++;
    per.set(key, entry);
  }
  const top = [...per.values()]
    .sort((a, b) => b.actual - a.actual || b.total - a.total)
    .slice(0, 4)
    .map((t) => {
      const forecast = ctx.watch.forecasts
        .filter((f) => f.resource === t.name && f.cluster === t.cluster && f.tsMs === window)
        .at(-1)?.mean;
      return { name: t.name.split('.')[0] ?? t.name, cluster: t.cluster, actual: t.actual, forecast };
    });
  const changes = ctx.watch
    .mirrorsOf(ctx.runLabel)
    .sort((a, b) => a.commandedMs - b.commandedMs)
    .slice(-3)
    .map(
      (m) =>
        `DNS ${(m.resource.split('.')[0] ?? '').padEnd(24)} ${m.cluster} -> ${m.server}: commanded +${((m.commandedMs - startedMs) / 1000).toFixed(1)} s` +
        (m.visibleMs === undefined
          ? ''
          : `, CNAME visible +${((m.visibleMs - startedMs) / 1000).toFixed(1)} s`) +
        (m.removedMs === undefined ? '' : ', removed'),
    );
  return {
    title: `${ctx.mode === 'pdme' ? 'with PDME  ' : 'caches only'} (${ctx.runLabel})`,
    done: live.length,
    planned: ctx.plan.requests.length,
    elapsedMs: Math.max(0, now - startedMs),
    durationMs: ctx.plan.durationMs,
    requestsPerSecond: recent / 5,
    hits: live.filter((r) => r.outcome === 'hit').length,
    errors: live.filter((r) => r.outcome === 'error').length,
    mirrorsCreated: counts.mirrorsCreated,
    mirrorsRemoved: counts.mirrorsRemoved,
    dnsChanges: counts.dnsChanges,
    lateMirrors: counts.lateMirrors,
    top,
    changes,
  };
}
