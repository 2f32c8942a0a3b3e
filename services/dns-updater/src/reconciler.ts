import type { CacheServerConfig, PdmeConfig } from '@pdme/common/config';
import { errorMessage } from '@pdme/common/errors';
import { backoffMs, sleep } from '@pdme/common/lifecycle';
import type { Logger } from '@pdme/common/logging';
import type { MirrorRecord } from '@pdme/common/mirror-state';
import { MirrorAction, MirrorOutcome, MirrorResult } from '@pdme/common/proto';
import type { DesiredMirrors } from './desiredMirrors.js';
import type { HealthCheck } from './healthCheck.js';
import { claimNameWithCname, releaseName, replaceOwnedCname, verifyCname } from './mirrorRecords.js';
import type { OwnedNames } from './ownedNames.js';
import { DnsUpdateError, type UpdateRequest } from './rfc2136/index.js';
import type { UpdateSender } from './updateBatcher.js';
import { describeUpdate } from './updateText.js';

export interface ReconcilerDeps {
  readonly config: PdmeConfig;
  readonly clients: ReadonlyMap<string, UpdateSender>;
  readonly desired: DesiredMirrors;
  readonly owned: OwnedNames;
  readonly healthCheck: HealthCheck;
  /** Publishes the FAILED result of a rolled-back mirror, so decision releases its capacity. */
  readonly publishResult: (result: MirrorResult) => Promise<void>;
  readonly logger: Logger;
  readonly now: () => number;
  /** Consecutive failed health checks before a server's mirrors are rolled back. Default 2. */
  readonly unhealthyAfter?: number;
}

export interface ReconcileReport {
  /** Applied mirrors whose CNAME was there and right. */
  readonly inSync: string[];
  /** Applied mirrors whose CNAME was missing or wrong, and was put back. */
  readonly repaired: string[];
  /** PDME-owned names no mirror explains any more, removed. */
  readonly removed: string[];
  /** Mirrors on a server that failed its health checks: CNAME removed, FAILED published. */
  readonly rolledBack: string[];
  /** Names held by someone else: left alone. */
  readonly foreign: string[];
  /** Would-be changes in dry-run mode (nothing sent). */
  readonly planned: string[];
}

const PREREQUISITE_CODES: ReadonlySet<string> = new Set(['NXRRSET', 'YXDOMAIN', 'YXRRSET', 'NXDOMAIN']);

function prerequisiteFailed(error: unknown): boolean {
  return error instanceof DnsUpdateError && PREREQUISITE_CODES.has(error.code);
}

/**
 * Compares what decision wants (its applied mirrors) with what the DNS server serves, per cluster and
 * through that cluster's view (TSIG-signed prerequisite-only updates, since transfers are not allowed),
 * and repairs the drift. It also health-checks the servers that carry mirrors and rolls a mirror back
 * when its server keeps failing, so clients return to the origin. Only names with PDME's ownership
 * TXT are ever changed.
 */
export class Reconciler {
  private readonly failures = new Map<string, number>();

  constructor(private readonly deps: ReconcilerDeps) {}

  async runOnce(): Promise<ReconcileReport> {
    const report: ReconcileReport = {
      inSync: [],
      repaired: [],
      removed: [],
      rolledBack: [],
      foreign: [],
      planned: [],
    };
    for (const cluster of this.deps.config.clusters) {
      const client = this.deps.clients.get(cluster.id);
      if (client === undefined) continue;
      const mirrors = await this.deps.desired(cluster.id);
      const unhealthy = await this.unhealthyServers(cluster.servers, mirrors);
      for (const mirror of mirrors) {
        if (mirror.state !== 'applied') continue;
        if (unhealthy.has(mirror.serverId)) await this.rollback(client, cluster.dns.zone, mirror, report);
        else await this.check(client, cluster.dns.zone, mirror, report);
      }
      const explained = new Set(mirrors.map((m) => m.resource));
      for (const name of await this.deps.owned.list(cluster.id)) {
        if (!explained.has(name))
          await this.removeStale(client, { zone: cluster.dns.zone, cluster: cluster.id, name }, report);
      }
    }
    const changed = report.repaired.length + report.removed.length + report.rolledBack.length;
    this.deps.logger.info(
      {
        event: changed > 0 ? 'dns-updater.reconcile.repaired' : 'dns-updater.reconcile.in_sync',
        inSync: report.inSync.length,
        repaired: report.repaired,
        removed: report.removed,
        rolledBack: report.rolledBack,
        foreign: report.foreign,
      },
      'reconciled',
    );
    return report;
  }

  /** Runs until the signal aborts; a failed pass is retried with exponential backoff and jitter. */
  async loop(intervalMs: number, signal: AbortSignal): Promise<void> {
    let failedPasses = 0;
    while (!signal.aborted) {
      try {
        await this.runOnce();
        failedPasses = 0;
        await sleep(intervalMs, signal);
      } catch (error) {
        failedPasses++;
        const wait = Math.min(intervalMs, backoffMs(failedPasses, 500, 30_000));
        this.deps.logger.warn(
          { event: 'dns-updater.reconcile.failed', error: errorMessage(error), retryInMs: wait },
          'reconcile pass failed',
        );
        await sleep(wait, signal);
      }
    }
  }

  private async unhealthyServers(
    servers: readonly CacheServerConfig[],
    mirrors: readonly MirrorRecord[],
  ): Promise<Set<string>> {
    const used = new Set(mirrors.filter((m) => m.state === 'applied').map((m) => m.serverId));
    const threshold = this.deps.unhealthyAfter ?? 2;
    const unhealthy = new Set<string>();
    await Promise.all(
      servers
        .filter((s) => used.has(s.id))
        .map(async (server) => {
          const ok = await this.deps.healthCheck(server);
          const count = ok ? 0 : (this.failures.get(server.id) ?? 0) + 1;
          this.failures.set(server.id, count);
          if (count >= threshold) unhealthy.add(server.id);
        }),
    );
    return unhealthy;
  }

  private async check(client: UpdateSender, zone: string, mirror: MirrorRecord, report: ReconcileReport) {
    try {
      await client.send(verifyCname(zone, mirror.resource, mirror.serverHost));
      report.inSync.push(mirror.resource);
      return;
    } catch (error) {
      if (!prerequisiteFailed(error)) throw error;
    }
    const type = this.deps.config.resourceTypes.find((t) => t.name === mirror.resourceType);
    const change = {
      zone,
      resource: mirror.resource,
      target: mirror.serverHost,
      ttlSeconds: type?.ttlSeconds ?? 60,
      ownerId: this.deps.config.dnsUpdater.ownerId,
    };
    const attempts = [replaceOwnedCname(change), claimNameWithCname(change)];
    if (this.deps.config.dnsUpdater.dryRun) {
      report.planned.push(...attempts.map(describeUpdate));
      return;
    }
    for (const update of attempts) {
      try {
        await client.send(update);
        await this.deps.owned.add(mirror.cluster, mirror.resource);
        report.repaired.push(mirror.resource);
        return;
      } catch (error) {
        if (!prerequisiteFailed(error)) throw error;
      }
    }
    report.foreign.push(mirror.resource);
  }

  private async rollback(client: UpdateSender, zone: string, mirror: MirrorRecord, report: ReconcileReport) {
    const release = releaseName(zone, mirror.resource, this.deps.config.dnsUpdater.ownerId);
    if (this.deps.config.dnsUpdater.dryRun) {
      report.planned.push(describeUpdate(release));
      return;
    }
    if (await this.release(client, release)) await this.deps.owned.remove(mirror.cluster, mirror.resource);
    const now = this.deps.now();
    await this.deps.publishResult(
      MirrorResult.fromPartial({
        commandId: mirror.commandId,
        outcome: MirrorOutcome.MIRROR_OUTCOME_FAILED,
        resource: mirror.resource,
        cluster: mirror.cluster,
        serverId: mirror.serverId,
        action: MirrorAction.MIRROR_ACTION_MIRROR,
        reason: `rolled back: cache server ${mirror.serverId} failed its health checks`,
        appliedMs: now,
        latencyMs: 0,
        late: false,
      }),
    );
    report.rolledBack.push(mirror.resource);
  }

  private async removeStale(
    client: UpdateSender,
    where: { zone: string; cluster: string; name: string },
    report: ReconcileReport,
  ) {
    const release = releaseName(where.zone, where.name, this.deps.config.dnsUpdater.ownerId);
    if (this.deps.config.dnsUpdater.dryRun) {
      report.planned.push(describeUpdate(release));
      return;
    }
    // Removed now, or already gone / not ours any more: either way it leaves the list.
    if (await this.release(client, release)) report.removed.push(where.name);
    await this.deps.owned.remove(where.cluster, where.name);
  }

  /** True when our records were removed; false when the name no longer carries our ownership TXT. */
  private async release(client: UpdateSender, update: UpdateRequest): Promise<boolean> {
    try {
      await client.send(update);
      return true;
    } catch (error) {
      if (prerequisiteFailed(error)) return false;
      throw error;
    }
  }
}
