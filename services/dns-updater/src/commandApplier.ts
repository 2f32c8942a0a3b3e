import type { ClusterConfig, PdmeConfig } from '@pdme/common/config';
import { PdmeError, errorMessage } from '@pdme/common/errors';
import { backoffMs, sleep } from '@pdme/common/lifecycle';
import type { Logger } from '@pdme/common/logging';
import { MirrorAction, MirrorOutcome, MirrorResult, type MirrorCommand } from '@pdme/common/proto';
import { warmAndVerify, type CacheTls } from './cacheWarmer.js';
import { claimNameWithCname, releaseName, replaceOwnedCname, verifyCname } from './mirrorRecords.js';
import type { OwnedNames } from './ownedNames.js';
import { DnsUpdateError, type UpdateRequest } from './rfc2136/index.js';
import type { UpdateSender } from './updateBatcher.js';
import { describeUpdate } from './updateText.js';

export interface AppliedLedger {
  /** True when the command was applied before (replays are no-ops). */
  has(commandId: string): Promise<boolean>;
  record(commandId: string): Promise<void>;
}

export interface CommandApplierDeps {
  readonly config: PdmeConfig;
  /** One update sender per cluster (a client or a batcher), signing with that cluster's TSIG key. */
  readonly clients: ReadonlyMap<string, UpdateSender>;
  readonly ledger: AppliedLedger;
  /** Names this updater holds, per cluster: the reconciler's list of what may have drifted. */
  readonly owned?: OwnedNames;
  readonly logger: Logger;
  readonly now: () => number;
  readonly warmAttempts?: number;
  /** HTTPS to the caches when set (CACHE_TLS / CACHE_TLS_CA_FILE). */
  readonly cacheTls?: CacheTls;
}

type Outcome = { outcome: MirrorOutcome; reason: string };

const PREREQUISITE_CODES: ReadonlySet<string> = new Set(['NXRRSET', 'YXDOMAIN', 'YXRRSET', 'NXDOMAIN']);

/**
 * Applies a mirror command in the only safe order: warm the cache and check it holds the content,
 * then change DNS under ownership prerequisites, then verify. DNS failures that may pass (server
 * down, timeouts) are thrown as retryable so the consumer waits and retries; anything else becomes
 * a `failed` result that decision uses to release the capacity.
 */
export class CommandApplier {
  private readonly clusters: Map<string, ClusterConfig>;

  constructor(private readonly deps: CommandApplierDeps) {
    this.clusters = new Map(deps.config.clusters.map((c) => [c.id, c]));
  }

  async apply(command: MirrorCommand): Promise<MirrorResult | undefined> {
    const { logger, ledger } = this.deps;
    if (await ledger.has(command.commandId)) {
      logger.info(
        { event: 'dns-updater.command.duplicate', commandId: command.commandId },
        'already applied',
      );
      return undefined;
    }
    const { outcome, reason } = await this.execute(command);
    const appliedMs = this.deps.now();
    if (outcome === MirrorOutcome.MIRROR_OUTCOME_APPLIED) await ledger.record(command.commandId);
    const result = MirrorResult.fromPartial({
      commandId: command.commandId,
      outcome,
      resource: command.resource,
      cluster: command.cluster,
      serverId: command.serverId,
      action: command.action,
      reason,
      appliedMs,
      latencyMs: appliedMs - command.issuedMs,
      late: command.liveByMs > 0 && appliedMs > command.liveByMs,
    });
    logger.info(
      {
        event: 'dns-updater.command.done',
        commandId: command.commandId,
        resource: command.resource,
        cluster: command.cluster,
        server: command.serverId,
        action: MirrorAction[command.action],
        outcome: MirrorOutcome[outcome],
        reason,
        latencyMs: result.latencyMs,
      },
      'command handled',
    );
    return result;
  }

  private async execute(command: MirrorCommand): Promise<Outcome> {
    const cluster = this.clusters.get(command.cluster);
    const client = this.deps.clients.get(command.cluster);
    if (cluster === undefined || client === undefined) {
      return {
        outcome: MirrorOutcome.MIRROR_OUTCOME_FAILED,
        reason: `no DNS target for cluster ${command.cluster}`,
      };
    }
    const zone = cluster.dns.zone;
    const { dnsUpdater } = this.deps.config;
    const { owned } = this.deps;
    if (command.action === MirrorAction.MIRROR_ACTION_UNMIRROR) {
      const release = releaseName(zone, command.resource, dnsUpdater.ownerId);
      if (dnsUpdater.dryRun) return this.dryRun(command, [release]);
      const done = await this.dns(client, release, 'unmirror', true);
      if (done.outcome === MirrorOutcome.MIRROR_OUTCOME_APPLIED)
        await owned?.remove(command.cluster, command.resource);
      return done;
    }
    const warm = await this.warm(command);
    if (warm !== undefined) return warm;
    const change = {
      zone,
      resource: command.resource,
      target: command.serverHost,
      ttlSeconds: command.ttlSeconds,
      ownerId: dnsUpdater.ownerId,
    };
    // A name we hold is repointed; any other is claimed, which fails if anyone else holds it. The
    // guess only saves a round trip: when it is wrong, the other form is tried.
    const ours = (await owned?.has(command.cluster, command.resource)) ?? false;
    const attempts: [string, UpdateRequest][] = [
      ['replace', replaceOwnedCname(change)],
      ['claim', claimNameWithCname(change)],
    ];
    if (!ours) attempts.reverse();
    if (dnsUpdater.dryRun)
      return this.dryRun(
        command,
        attempts.map(([, update]) => update),
      );
    let result: Outcome | undefined;
    for (const [step, update] of attempts) {
      result = await this.dns(client, update, step, false);
      if (!PREREQUISITE_CODES.has(result.reason)) break;
    }
    if (result === undefined || PREREQUISITE_CODES.has(result.reason)) {
      return {
        outcome: MirrorOutcome.MIRROR_OUTCOME_FAILED,
        reason: `foreign record at ${command.resource}: not owned by PDME (no _pdme ownership TXT of owner ${dnsUpdater.ownerId}), left untouched`,
      };
    }
    if (result.outcome !== MirrorOutcome.MIRROR_OUTCOME_APPLIED) return result;
    await owned?.add(command.cluster, command.resource);
    return this.dns(client, verifyCname(zone, command.resource, command.serverHost), 'verify', false);
  }

  /** Dry run: logs the exact UPDATE messages (the first that holds would be applied) and skips. */
  private dryRun(command: MirrorCommand, updates: readonly UpdateRequest[]): Outcome {
    this.deps.logger.info(
      {
        event: 'dns-updater.dry_run',
        commandId: command.commandId,
        cluster: command.cluster,
        resource: command.resource,
        changes: updates.map(describeUpdate),
      },
      'dry run: would send these updates (the first whose prerequisites hold is applied)',
    );
    return { outcome: MirrorOutcome.MIRROR_OUTCOME_SKIPPED, reason: 'dry run' };
  }

  private async warm(command: MirrorCommand): Promise<Outcome | undefined> {
    const attempts = this.deps.warmAttempts ?? 3;
    const { dnsUpdater } = this.deps.config;
    for (let attempt = 1; ; attempt++) {
      try {
        await warmAndVerify(
          {
            resource: command.resource,
            address: command.serverAddress,
            port: command.serverPort,
            paths: command.warmPaths.length > 0 ? command.warmPaths : ['/'],
          },
          {
            timeoutMs: dnsUpdater.warmTimeoutMs,
            concurrency: dnsUpdater.warmConcurrency,
            ...(this.deps.cacheTls === undefined ? {} : { tls: this.deps.cacheTls }),
          },
        );
        return undefined;
      } catch (error) {
        if (attempt >= attempts) {
          return {
            outcome: MirrorOutcome.MIRROR_OUTCOME_FAILED,
            reason: `warm failed: ${errorMessage(error)}`,
          };
        }
        await sleep(backoffMs(attempt, 250, 5_000));
      }
    }
  }

  /**
   * Sends one update. A prerequisite failure comes back as the reason (the caller decides what it
   * means); retryable failures throw; others become a failed outcome.
   */
  private async dns(
    client: UpdateSender,
    update: UpdateRequest,
    step: string,
    absentIsDone: boolean,
  ): Promise<Outcome> {
    try {
      await client.send(update);
      return { outcome: MirrorOutcome.MIRROR_OUTCOME_APPLIED, reason: step };
    } catch (error) {
      if (!(error instanceof DnsUpdateError)) throw error;
      if (error.retryable) {
        throw new PdmeError('UNAVAILABLE', `DNS ${step} for zone ${update.zone}: ${error.message}`, {
          cause: error,
        });
      }
      if (error.code === 'NXRRSET' && absentIsDone) {
        return { outcome: MirrorOutcome.MIRROR_OUTCOME_APPLIED, reason: 'nothing of ours to remove' };
      }
      if (PREREQUISITE_CODES.has(error.code)) {
        return { outcome: MirrorOutcome.MIRROR_OUTCOME_FAILED, reason: error.code };
      }
      return {
        outcome: MirrorOutcome.MIRROR_OUTCOME_FAILED,
        reason: `DNS ${step} refused: ${error.code}: ${error.message}`,
      };
    }
  }
}
