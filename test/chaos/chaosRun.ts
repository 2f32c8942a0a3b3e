import { dirname, join } from 'node:path';
import { readBootstrapKey } from '@pdme/common/auth';
import { TOPICS, type TopicName } from '@pdme/common/topics';
import { sleep } from '@pdme/cli/processes';
import { formatTable, type RoundAccount } from './accounting.js';
import { allServicesReady, healStack, type Log } from './faults.js';
import { allPlans, LONG_HOLDS, noFault, SHORT_HOLDS } from './faultPlans.js';
import { ChaosHarness } from './harness.js';
import {
  appendAccessLines,
  badJsonCases,
  CONSUMED_TOPICS,
  deadLettersWith,
  poisonAccessLines,
  poisonDnstapFrames,
  poisonPayload,
  produceTopicPoison,
  writeBrokenStream,
  writeDnstap,
  type HttpCase,
} from './poison.js';
import { authChecks, logLeaks, tsigChecks, type AuthCheck, type TsigCheck } from './security.js';
import { formatSample, soak, type SoakResult } from './soak.js';
import { SERVICE_NAMES } from '@pdme/cli/stack';

/**
 * One chaos run over the live stack, shared by the CI test (short form) and the bench (long form):
 * fault rounds with their accounting, poison input, a soak, security checks, and a final check that
 * the stack is healthy and the zone converged. It returns everything it measured; callers judge.
 */

export interface ChaosRunOptions {
  readonly long: boolean;
  readonly soakMs: number;
  readonly soakIntervalMs: number;
  /** Fault names to run (substring match); all when empty. */
  readonly only?: readonly string[];
  readonly poison?: boolean;
  readonly security?: boolean;
  readonly log: Log;
}

export interface PoisonReport {
  readonly dnstap: { what: string; deadLettered: boolean }[];
  readonly dnstapReasons: string[];
  readonly accessLines: { what: string; deadLettered: boolean }[];
  readonly topics: { topic: TopicName; consumed: boolean; deadLetters: string[] }[];
  readonly http: HttpCase[];
  /** A normal crowd after the poison still got its CNAME. */
  readonly afterwards: RoundAccount | undefined;
}

export interface SecurityReport {
  readonly topicLeaks: string[];
  readonly logLeaks: string[];
  readonly auth: AuthCheck[];
  readonly tsig: TsigCheck[];
}

export interface ChaosReport {
  readonly rounds: RoundAccount[];
  readonly poison: PoisonReport | undefined;
  readonly soak: SoakResult | undefined;
  readonly security: SecurityReport | undefined;
  readonly finalZone: { converged: boolean; mismatches: string[]; ms: number };
  readonly healthy: boolean;
  readonly table: string;
}

async function runPoison(h: ChaosHarness, log: Log): Promise<PoisonReport> {
  const { marker } = h;
  const secrets = join(dirname(h.state.configFile), 'secrets');
  const adminKey = readBootstrapKey(secrets, 'pdme:admin') ?? '';
  const deadBefore = h.collector.data.deadLetters.length;

  log('poison: dnstap frames, a broken stream, access-log lines, topic payloads, bad JSON');
  const frames = poisonDnstapFrames(marker);
  await writeDnstap(
    h.state.bind.dnstapSocket,
    frames.map((f) => f.frame),
  );
  await writeBrokenStream(h.state.bind.dnstapSocket);
  const lines = poisonAccessLines(marker);
  const accessLog = h.state.caches.servers[0]?.accessLog;
  if (accessLog === undefined) throw new Error('chaos: the stack has no cache server');
  appendAccessLines(
    accessLog,
    lines.map((l) => l.line),
  );
  await produceTopicPoison(h.state.kafka.bootstrap, marker);
  const http = await badJsonCases(h.state, adminKey);

  // Everything above is dead-lettered asynchronously; give it a few seconds to land.
  const expectedDead = frames.length + lines.length + CONSUMED_TOPICS.length;
  for (let i = 0; i < 30 && h.collector.data.deadLetters.length - deadBefore < expectedDead; i++)
    await sleep(1_000);
  await h.collector.caughtUp().catch(() => undefined);

  const fresh = h.collector.data.deadLetters.slice(deadBefore);
  const dnstapDead = fresh.filter(
    (d) => d.topic === `${TOPICS.dnsQueries}.dlq` && d.origin.startsWith('dnstap:'),
  );
  const accessDead = fresh.filter((d) => d.topic === `${TOPICS.accessLogs}.dlq`);
  const poisonTag = poisonPayload(marker);
  const report: PoisonReport = {
    // Dead letters do not say which case they were: count them, case by case in order of writing.
    dnstap: frames.map((f, i) => ({ what: f.what, deadLettered: i < dnstapDead.length })),
    dnstapReasons: dnstapDead.map((d) => d.reason),
    accessLines: lines.map((l, i) => ({ what: l.what, deadLettered: i < accessDead.length })),
    topics: Object.values(TOPICS).map((topic) => ({
      topic,
      consumed: CONSUMED_TOPICS.includes(topic),
      // Some services redact payloads, so any dead letter of this phase on the topic's DLQ counts;
      // those that still carry the poison are listed first.
      deadLetters: [
        ...deadLettersWith(h.collector.data, topic, poisonTag).map((d) => `${d} (payload kept)`),
        ...fresh
          .filter((d) => d.topic === `${topic}.dlq` && d.origin.startsWith(`${topic}/`))
          .filter((d) => !Buffer.from(d.payload).includes(poisonTag))
          .map((d) => `${d.service}: ${d.reason}`),
      ],
    })),
    http,
    afterwards: undefined,
  };
  log(`poison: ${fresh.length} dead letters; now a normal crowd`);
  const afterwards = await h.round(noFault('after poison'));
  return { ...report, afterwards };
}

async function runSecurity(h: ChaosHarness): Promise<SecurityReport> {
  const secrets = join(dirname(h.state.configFile), 'secrets');
  const readKey = readBootstrapKey(secrets, 'pdme:read') ?? '';
  h.collector.forbid(h.sources);
  await h.collector.caughtUp().catch(() => undefined);
  return {
    topicLeaks: [...h.collector.data.addressLeaks],
    logLeaks: logLeaks(h.sources),
    auth: await authChecks(h.state, readKey),
    tsig: await tsigChecks(h.state),
  };
}

export async function runChaos(options: ChaosRunOptions): Promise<ChaosReport> {
  const { log } = options;
  const h = await ChaosHarness.open({
    log,
    crowd: options.long ? 60 : 30,
    accessRecords: options.long ? 10 : 4,
    convergeTimeoutMs: options.long ? 240_000 : 90_000,
  });
  // Every address the run will use is forbidden from the start, so no message escapes the scan.
  for (const cluster of h.state.topology)
    for (let i = 110; i < 200; i++)
      h.sources.add(`${cluster.subnet.split('/')[0]?.split('.').slice(0, 3).join('.')}.${i}`);
  h.collector.forbid(h.sources);
  const cacheId = h.state.topology[0]?.servers[0]?.id ?? 'cache-c1-a';
  let poison: PoisonReport | undefined;
  let soakResult: SoakResult | undefined;
  let security: SecurityReport | undefined;
  try {
    await h.round(noFault('baseline'));
    const plans = allPlans(options.long ? LONG_HOLDS : SHORT_HOLDS, cacheId, options.long).filter(
      (p) =>
        options.only === undefined ||
        options.only.length === 0 ||
        options.only.some((o) => p.name.includes(o)),
    );
    for (const plan of plans) {
      try {
        const row = await h.round(plan);
        log(formatTable([row]));
      } catch (error) {
        log(`round ${plan.name} failed: ${String(error)}; healing the stack`);
        await healStack(h.state, log);
        throw error;
      }
    }
    if (options.poison !== false) poison = await runPoison(h, log);
    if (options.soakMs > 0) {
      log(`soak: ${options.soakMs / 1000} s, a sample every ${options.soakIntervalMs / 1000} s`);
      soakResult = await soak(h, {
        durationMs: options.soakMs,
        intervalMs: options.soakIntervalMs,
        queriesPerSecond: 40,
        onSample: (s) => log(formatSample(s)),
      });
    }
    if (options.security !== false) security = await runSecurity(h);
  } finally {
    await healStack(h.state, log).catch((error: unknown) => log(`heal failed: ${String(error)}`));
  }
  const finalZone = await h.waitZoneConverged(options.long ? 180_000 : 90_000);
  const healthy = await allServicesReady();
  await h.close();
  return {
    rounds: h.rounds,
    poison,
    soak: soakResult,
    security,
    finalZone,
    healthy,
    table: formatTable(h.rounds),
  };
}

/** The whole report as text: fault table, poison outcomes, soak curve and verdict, security. */
export function formatReport(report: ChaosReport): string {
  const out: string[] = [];
  out.push('\n== faults (events: dns queries; lost = sent - BIND-dropped - on topic)');
  out.push(report.table);
  if (report.poison !== undefined) {
    const p = report.poison;
    out.push('\n== poison');
    for (const c of p.dnstap)
      out.push(`dnstap ${c.what}: ${c.deadLettered ? 'dead-lettered' : 'NOT dead-lettered'}`);
    out.push(`dnstap reasons: ${[...new Set(p.dnstapReasons)].join('; ')}`);
    for (const c of p.accessLines)
      out.push(`access log ${c.what}: ${c.deadLettered ? 'dead-lettered' : 'NOT dead-lettered'}`);
    for (const t of p.topics)
      out.push(
        `topic ${t.topic}: ${t.consumed ? (t.deadLetters.length > 0 ? t.deadLetters.join('; ') : 'NOT dead-lettered') : 'no consumer'}`,
      );
    for (const c of p.http) out.push(`${c.method} ${c.route}: ${c.status}`);
    out.push(`afterwards a normal crowd converged: ${p.afterwards?.converged === true ? 'yes' : 'NO'}`);
  }
  if (report.soak !== undefined) {
    const s = report.soak;
    out.push(`\n== soak: ${s.samples.length} samples, ${s.sent} queries sent, ${s.onTopic} on the topic`);
    for (const service of SERVICE_NAMES) {
      const v = s.verdict[service];
      const curve = s.samples.map((x) => (x.rss[service] / 1024 / 1024).toFixed(0)).join(' ');
      out.push(
        `${service.padEnd(12)} RSS MiB: ${curve} | first third ${(v.first / 1048576).toFixed(0)}, last third ${(v.last / 1048576).toFixed(0)} (${(v.growth * 100).toFixed(1)} %) ${v.flat ? 'flat' : 'GROWING'}`,
      );
    }
  }
  if (report.security !== undefined) {
    const sec = report.security;
    out.push('\n== security');
    out.push(
      `raw client addresses on topics: ${sec.topicLeaks.length} ${sec.topicLeaks.slice(0, 5).join(', ')}`,
    );
    out.push(
      `raw client addresses in service logs: ${sec.logLeaks.length} ${sec.logLeaks.slice(0, 5).join(', ')}`,
    );
    for (const a of sec.auth) out.push(`${a.route} with ${a.credentials}: ${a.status} (want ${a.expected})`);
    for (const t of sec.tsig)
      out.push(
        `DNS UPDATE, ${t.attempt}: ${t.refused ? 'refused' : 'ACCEPTED'} (${t.detail}); name ${t.absent ? 'absent' : 'PRESENT'}`,
      );
  }
  out.push(
    `\nfinal zone converged: ${report.finalZone.converged ? 'yes' : 'NO'} after ${(report.finalZone.ms / 1000).toFixed(0)} s`,
  );
  for (const m of report.finalZone.mismatches.slice(0, 10)) out.push(`  ${m}`);
  out.push(`all services ready: ${report.healthy ? 'yes' : 'NO'}`);
  return out.join('\n');
}
