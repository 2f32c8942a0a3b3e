import {
  resourceTypeMatcher,
  type ClusterConfig,
  type PdmeConfig,
  type ResourceTypeMatcher,
} from '@pdme/common/config';
import type { Publisher } from '@pdme/common/kafka';
import type { Logger } from '@pdme/common/logging';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import {
  MirrorAction,
  MirrorCommand,
  MirrorOutcome,
  type DemandForecast,
  type MirrorResult,
} from '@pdme/common/proto';
import { TOPICS } from '@pdme/common/topics';
import { commandId } from './commandId.js';
import { decideMirroring, type DecisionInput } from './decideMirroring.js';
import { isLateCommand } from './lateCommand.js';
import { pausedDecision } from './pausedDecision.js';
import type { MirrorStore } from './mirrorStore.js';
import {
  decideByBenefit,
  predictedHits,
  type BenefitDecision,
  type BenefitSettings,
} from './policies/benefitDecision.js';
import { DemandMemory } from './policies/demandMemory.js';
import { ForecastBook } from './policies/forecastBook.js';

/** A pending mirror with no result after this long gets its command sent again (same id). */
const RESEND_AFTER_MS = 30_000;

export interface DecisionServiceDeps {
  /** The config in force, read on every message so live config changes apply without a restart. */
  readonly config: () => PdmeConfig;
  readonly store: MirrorStore;
  readonly publisher: Pick<Publisher, 'publish'>;
  readonly logger: Logger;
  readonly now: () => number;
  /** How the benefit policy values hits and transfers (used when the config says `benefit`). */
  readonly benefit?: BenefitSettings;
  /** Resources whose latest forecast the benefit policy remembers, per cluster. */
  readonly maxForecastsPerCluster?: number;
  /**
   * Half-life of a long-run demand prior (DemandMemory) the benefit policy adds to forecast hits;
   * unset: no prior. `pdme sim` scores it as benefit-live+prior (4 hours = 24 ten-minute windows).
   */
  readonly priorHalfLifeMs?: number;
  /** Called for each mirror command issued after the time it had to be live by. */
  readonly onLateCommand?: () => void;
}

export const DEFAULT_BENEFIT: BenefitSettings = { originLatencyMs: 100, transferCostPerMiB: 1 };
const DEFAULT_MAX_FORECASTS_PER_CLUSTER = 100_000;

interface ConfigView {
  readonly clusters: Map<string, ClusterConfig>;
  readonly regionByServer: Map<string, string>;
  readonly types: ResourceTypeMatcher;
  readonly decision: PdmeConfig['decision'];
}

function configView(config: PdmeConfig): ConfigView {
  return {
    clusters: new Map(config.clusters.map((c) => [c.id, c])),
    regionByServer: new Map(config.clusters.flatMap((c) => c.servers.map((s) => [s.id, s.region]))),
    types: resourceTypeMatcher(config),
    decision: config.decision,
  };
}

/** Applies decideMirroring to forecasts and mirror results, with state in Redis. */
export class DecisionService {
  private derived: { config: PdmeConfig; view: ConfigView } | undefined;
  private readonly book: ForecastBook;
  /** Long-run decayed demand per cluster, learnt from the forecasts (the benefit policy's prior). */
  private readonly memories = new Map<string, DemandMemory>();

  constructor(private readonly deps: DecisionServiceDeps) {
    this.book = new ForecastBook(deps.maxForecastsPerCluster ?? DEFAULT_MAX_FORECASTS_PER_CLUSTER);
  }

  /** Lookups built from the config, rebuilt only when a new config object is in force. */
  private view(): ConfigView {
    const config = this.deps.config();
    if (this.derived?.config !== config) this.derived = { config, view: configView(config) };
    return this.derived.view;
  }

  async onForecast(forecast: DemandForecast): Promise<BenefitDecision | undefined> {
    const { logger, store } = this.deps;
    // One view for the whole decision, even if the config changes while it awaits Redis.
    const { clusters, types, regionByServer, decision: settings } = this.view();
    const cluster = clusters.get(forecast.cluster);
    const type = types.match(forecast.resource);
    if (cluster === undefined || type === undefined) {
      logger.debug(
        { event: 'decision.forecast.ignored', resource: forecast.resource, cluster: forecast.cluster },
        'no cluster or resource type for forecast',
      );
      return undefined;
    }
    const mirrors = await store.mirrorsOf(forecast.resource, [...clusters.keys()]);
    const here = mirrors.find((m) => m.cluster === cluster.id);
    if (here?.state === 'pending' && this.deps.now() - here.sinceMs > RESEND_AFTER_MS) {
      await this.sendCommand(here, MirrorAction.MIRROR_ACTION_MIRROR, 0);
    }
    const input: DecisionInput = {
      forecast,
      type,
      mirrors,
      candidates: await store.candidates(cluster),
      regionOf: (id) => regionByServer.get(id),
      settings,
      nowMs: this.deps.now(),
    };
    const decision = pausedDecision(
      settings.policy === 'benefit' ? await this.byBenefit(input, forecast) : decideMirroring(input),
      settings.paused,
    );
    switch (decision.kind) {
      case 'mirror': {
        const server = decision.server.server;
        const record: MirrorRecord = {
          resource: forecast.resource,
          cluster: cluster.id,
          serverId: server.id,
          serverHost: server.host,
          state: 'pending',
          commandId: commandId({
            action: 'mirror',
            cluster: cluster.id,
            resource: forecast.resource,
            serverId: server.id,
            generationMs: forecast.issuedMs,
          }),
          sinceMs: forecast.issuedMs,
          reservedBytes: type.sizeBytes,
          predictedDemand: decision.demand,
          resourceType: type.name,
          lowWindows: 0,
        };
        const outcome = await store.reserve(record, server.capacityBytes);
        if (outcome !== 'reserved') {
          logger.info(
            { event: 'decision.mirror.not_reserved', resource: record.resource, outcome },
            'no reservation',
          );
          return { kind: 'none', reason: `reservation ${outcome}`, demand: decision.demand };
        }
        await this.sendCommand(record, MirrorAction.MIRROR_ACTION_MIRROR, decision.liveByMs);
        return decision;
      }
      case 'unmirror': {
        if (here === undefined) return decision;
        const removing: MirrorRecord = { ...here, state: 'removing', predictedDemand: decision.demand };
        await store.update(removing);
        await this.sendCommand(removing, MirrorAction.MIRROR_ACTION_UNMIRROR, this.deps.now());
        return decision;
      }
      case 'hold':
        if (here !== undefined) await store.update({ ...here, lowWindows: decision.lowWindows });
        return decision;
      case 'none':
        return decision;
      case 'contend':
        return decision;
      case 'displace':
        for (const victim of decision.victims) {
          const removing: MirrorRecord = { ...victim, state: 'removing' };
          await store.update(removing);
          await this.sendCommand(removing, MirrorAction.MIRROR_ACTION_UNMIRROR, this.deps.now());
        }
        logger.info(
          {
            event: 'decision.mirror.displacing',
            resource: forecast.resource,
            cluster: cluster.id,
            victims: decision.victims.map((v) => v.resource),
          },
          'displacing residents worth less per byte',
        );
        return decision;
    }
  }

  /** The capacity-aware policy: remembers this forecast, then ranks it against the residents. */
  private async byBenefit(input: DecisionInput, forecast: DemandForecast): Promise<BenefitDecision> {
    const cluster = forecast.cluster;
    const memory = this.memoryOf(cluster);
    memory?.record(forecast.resource, forecast);
    const priorHits = memory?.valueOf(forecast.resource, forecast.issuedMs) ?? 0;
    this.book.record(cluster, forecast.resource, predictedHits(forecast));
    const decision = decideByBenefit({
      ...input,
      residents: await this.deps.store.mirrorsIn(cluster),
      // Residents are valued now: their forecast hits plus their prior as it stands today.
      hitsOf: (resource) => {
        const hits = this.book.hitsOf(cluster, resource);
        return hits === undefined ? undefined : hits + (memory?.valueOf(resource, forecast.issuedMs) ?? 0);
      },
      benefit: this.deps.benefit ?? DEFAULT_BENEFIT,
      contendedWindows: this.book.contendedWindows(cluster, forecast.resource),
      priorHits,
    });
    // Out-ranking the residents counts only in consecutive forecasts.
    const contended = decision.kind === 'contend' ? decision.contendedWindows : 0;
    this.book.setContendedWindows(cluster, forecast.resource, contended);
    return decision;
  }

  private memoryOf(cluster: string): DemandMemory | undefined {
    const halfLifeMs = this.deps.priorHalfLifeMs;
    if (halfLifeMs === undefined) return undefined;
    let memory = this.memories.get(cluster);
    if (memory === undefined) {
      memory = new DemandMemory(
        halfLifeMs,
        this.deps.maxForecastsPerCluster ?? DEFAULT_MAX_FORECASTS_PER_CLUSTER,
      );
      this.memories.set(cluster, memory);
    }
    return memory;
  }

  async onResult(result: MirrorResult): Promise<void> {
    const { store, logger } = this.deps;
    if (!(await store.firstTimeResult(result.commandId, String(result.outcome)))) return;
    const record = await store.get(result.cluster, result.resource);
    const unmirror = result.action === MirrorAction.MIRROR_ACTION_UNMIRROR;
    logger.info(
      {
        event: 'decision.result.received',
        resource: result.resource,
        cluster: result.cluster,
        outcome: MirrorOutcome[result.outcome],
        unmirror,
        reason: result.reason,
      },
      'mirror result',
    );
    if (result.outcome === MirrorOutcome.MIRROR_OUTCOME_APPLIED) {
      if (unmirror) {
        if (record !== undefined) await store.release(result.cluster, result.resource, record.commandId);
        await store.count('mirrorsRemoved');
        return;
      }
      if (record?.commandId === result.commandId) await store.update({ ...record, state: 'applied' });
      await store.count('mirrorsCreated');
      if (result.late) await store.count('lateMirrors');
      return;
    }
    if (result.outcome === MirrorOutcome.MIRROR_OUTCOME_FAILED) {
      await store.count('mirrorsFailed');
      // A failed mirror gives its capacity back; the next forecast may choose again.
      if (!unmirror && record?.commandId === result.commandId) {
        await store.release(result.cluster, result.resource, result.commandId);
      }
    }
  }

  private async sendCommand(record: MirrorRecord, action: MirrorAction, liveByMs: number): Promise<void> {
    const cluster = this.view().clusters.get(record.cluster);
    const server = cluster?.servers.find((s) => s.id === record.serverId);
    const type = this.deps.config().resourceTypes.find((t) => t.name === record.resourceType);
    if (server === undefined || type === undefined) return;
    const unmirror = action === MirrorAction.MIRROR_ACTION_UNMIRROR;
    const id = unmirror
      ? commandId({
          action: 'unmirror',
          cluster: record.cluster,
          resource: record.resource,
          serverId: record.serverId,
          generationMs: record.sinceMs,
        })
      : record.commandId;
    const command = MirrorCommand.fromPartial({
      commandId: id,
      action,
      resource: record.resource,
      cluster: record.cluster,
      serverId: server.id,
      serverHost: server.host,
      serverAddress: server.address,
      serverPort: server.port,
      warmPaths: type.warmPaths,
      ttlSeconds: type.ttlSeconds,
      reservedBytes: record.reservedBytes,
      issuedMs: this.deps.now(),
      liveByMs,
      predictedDemand: record.predictedDemand,
      resourceType: type.name,
    });
    await this.deps.publisher.publish(TOPICS.mirrorCommands, [{ key: record.resource, value: command }]);
    if (isLateCommand(command)) {
      this.deps.onLateCommand?.();
      await this.deps.store.count('lateCommands');
    }
    this.deps.logger.info(
      {
        event: unmirror ? 'decision.unmirror.commanded' : 'decision.mirror.commanded',
        resource: record.resource,
        cluster: record.cluster,
        server: server.id,
        commandId: id,
        predictedDemand: record.predictedDemand,
      },
      unmirror ? 'unmirror commanded' : 'mirror commanded',
    );
  }
}
