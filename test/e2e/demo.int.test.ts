import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildReport,
  DEMO_USER_AGENT,
  readDecisionsPaused,
  REPLAY_DEMO_DEFAULTS,
  runReplayDemo,
  setDecisionsPaused,
  writeReportFiles,
  type DemoReport,
  type GatewayTarget,
  type ReplayDemoResult,
} from '@pdme/cli/demo';
import { requireStack } from '../support/localStack.js';

/**
 * `pdme demo` in short form against the real stack: the generated workload (with its announced and
 * unannounced crowds) replayed for 20 s with PDME's decisions paused, then 20 s live. It checks the
 * report's accounting against the caches' own access logs, that pausing really placed no mirror, and
 * that the announced crowd's CNAME was visible before the crowd's first request. About 70 s.
 */
const stack = requireStack();
const gateway: GatewayTarget = {
  http: stack.gateway.http,
  configFile: stack.configFile,
  decisionOpsPort: stack.opsPorts.decision,
};
const out = mkdtempSync(join(tmpdir(), 'pdme-demo-test-'));

interface AccessLine {
  host: string;
  user_agent: string;
  upstream_cache_status: string;
}

/** Access-log lines written since `offsets` were taken, over every cache server. */
function accessLinesSince(offsets: Map<string, number>): AccessLine[] {
  return stack.caches.servers.flatMap((server) => {
    const text = readFileSync(server.accessLog)
      .subarray(offsets.get(server.accessLog) ?? 0)
      .toString('utf8');
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as AccessLine);
  });
}

describe('pdme demo (short form)', () => {
  let result: ReplayDemoResult;
  let report: DemoReport;
  const offsets = new Map<string, number>();

  beforeAll(async () => {
    for (const server of stack.caches.servers) offsets.set(server.accessLog, statSync(server.accessLog).size);
    result = await runReplayDemo(stack, {
      ...REPLAY_DEMO_DEFAULTS,
      durationMs: 20_000,
      drainMs: 3_000,
      buckets: 10,
      log: () => undefined,
    });
    report = await writeReportFiles(out, buildReport(result, 0), result);
  });

  afterAll(async () => {
    // The demo restores decision.paused itself; if it failed half-way, do it here.
    if ((await readDecisionsPaused(gateway)) === true) await setDecisionsPaused(gateway, undefined);
  });

  it('ran both runs and put decision.paused back', async () => {
    expect(report.runs.map((r) => r.mode)).toEqual(['reactive', 'pdme']);
    expect(report.configRestored).toBe(true);
    expect(await readDecisionsPaused(gateway)).not.toBe(true);
  });

  it('counts every replayed request exactly once, with one outcome, in one bucket', () => {
    for (const run of report.runs) {
      const records = result.records.get(run.mode) ?? [];
      expect(run.planned).toBeGreaterThan(100);
      expect(records).toHaveLength(run.planned);
      expect(new Set(records.map((r) => r.id)).size).toBe(run.planned);
      expect(records.every((r) => ['hit', 'miss', 'error'].includes(r.outcome))).toBe(true);
      expect(run.outcomes.hit + run.outcomes.miss + run.outcomes.error).toBe(run.planned);
      expect(run.buckets.reduce((sum, b) => sum + b.requests, 0)).toBe(run.planned);
      expect(run.buckets.every((b) => b.hit + b.miss + b.error === b.requests)).toBe(true);
    }
    expect(report.accounting.every((a) => a.balanced)).toBe(true);
  });

  it("agrees with the caches' access logs: one line per request that reached a cache, same hits", () => {
    const lines = accessLinesSince(offsets).filter((l) => l.user_agent === DEMO_USER_AGENT);
    for (const run of report.runs) {
      const mine = lines.filter((l) => l.host.split('.')[0]?.endsWith(`-${run.runLabel}`) === true);
      const records = result.records.get(run.mode) ?? [];
      const served = records.filter((r) => r.status !== undefined);
      expect(mine).toHaveLength(served.length);
      expect(mine.filter((l) => l.upstream_cache_status === 'HIT')).toHaveLength(run.outcomes.hit);
    }
  });

  it('placed no mirror while decisions were paused', () => {
    const reactive = report.runs.find((r) => r.mode === 'reactive');
    expect(reactive?.pipeline.mirrorCommands).toBe(0);
    expect(reactive?.viaMirror).toBe(0);
  });

  it("had the announced crowd's CNAME visible before the crowd's first request", () => {
    const pdme = report.runs.find((r) => r.mode === 'pdme');
    const crowd = pdme?.crowds.find((c) => c.announced);
    expect(crowd?.requests).toBeGreaterThan(0);
    expect(crowd?.clusters.length).toBeGreaterThan(0);
    for (const cluster of crowd?.clusters ?? []) {
      expect(cluster.visibleMs, `CNAME for ${crowd?.resource} in ${cluster.cluster}`).toBeDefined();
      expect(cluster.visibleMs ?? Infinity).toBeLessThan(crowd?.firstRequestMs ?? -Infinity);
    }
  });

  it('wrote the report and both plots', () => {
    expect(report.files.json).toBeDefined();
    for (const file of [report.files.hitRatioPng, report.files.forecastPng]) {
      expect(
        readFileSync(file ?? '')
          .subarray(1, 4)
          .toString('ascii'),
      ).toBe('PNG');
    }
  });
});
