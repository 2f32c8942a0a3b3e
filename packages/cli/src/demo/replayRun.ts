import { Agent } from 'node:http';
import { sleep } from '../stack/processes.js';
import { clientRequest, type ClientTarget, type RequestResult } from './clientRequest.js';
import type { PlannedRequest, ReplayPlan } from './replayPlan.js';

/** One replayed request and how it ended. */
export interface RequestRecord extends RequestResult {
  readonly id: number;
  readonly resource: string;
  readonly cluster: string;
  /** Wall clock when it was sent (its DNS query), and how late against the plan. */
  readonly sentMs: number;
  readonly lagMs: number;
  readonly traceMs: number;
  readonly latencyMs: number;
}

export interface RunTarget extends Omit<ClientTarget, 'agent'> {
  readonly zone: string;
  /** Client source addresses per plan cluster. */
  readonly clients: readonly (readonly string[])[];
}

export interface ReplayRunOptions {
  /** Appended to every object's label: names of one run are new to the stack and to the other run. */
  readonly runLabel: string;
  /** Requests in flight at most; beyond, sending waits (and the lag is recorded). */
  readonly maxInFlight: number;
  readonly onRecord?: (record: RequestRecord) => void;
  /** Wall clock the schedule counts from (defaults to now). */
  readonly startMs?: number;
  /** Stops sending (Ctrl-C): the requests in flight finish, then the run fails as interrupted. */
  readonly signal?: AbortSignal;
}

/** The DNS name of a plan object in a run. */
export function resourceName(label: string, runLabel: string, zone: string): string {
  return `${label}-${runLabel}.${zone}`;
}

/**
 * Replays the plan as real traffic, open loop: each request is sent at its time (DNS query, then
 * HTTP through the cache the answer names), without waiting for earlier ones, up to `maxInFlight`.
 * Returns one record per planned request, in plan order.
 */
export async function replayRun(
  plan: ReplayPlan,
  target: RunTarget,
  options: ReplayRunOptions,
): Promise<RequestRecord[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const clientTarget: ClientTarget = { ...target, agent };
  const names = plan.objects.map((o) => resourceName(o.label, options.runLabel, target.zone));
  const records: (RequestRecord | undefined)[] = new Array<RequestRecord | undefined>(plan.requests.length);
  const inFlight = new Set<Promise<void>>();
  const startMs = options.startMs ?? Date.now();
  const send = async (planned: PlannedRequest): Promise<void> => {
    const cluster = plan.clusters[planned.cluster] ?? '';
    const pool = target.clients[planned.cluster] ?? [];
    const source = pool[planned.client % Math.max(1, pool.length)] ?? '127.0.0.1';
    const resource = names[planned.object] ?? '';
    const sentMs = Date.now();
    const result = await clientRequest(clientTarget, cluster, source, resource);
    const record: RequestRecord = {
      ...result,
      id: planned.id,
      resource,
      cluster,
      sentMs,
      lagMs: Math.max(0, sentMs - (startMs + planned.atMs)),
      traceMs: planned.traceMs,
      latencyMs: Date.now() - sentMs,
    };
    records[planned.id] = record;
    options.onRecord?.(record);
  };
  try {
    for (const planned of plan.requests) {
      if (options.signal?.aborted === true) break;
      const wait = startMs + planned.atMs - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
      const pending = send(planned).finally(() => inFlight.delete(pending));
      inFlight.add(pending);
    }
    await Promise.all(inFlight);
    if (options.signal?.aborted === true) throw new Error('demo: interrupted');
  } finally {
    agent.destroy();
  }
  return records.map((record, id) => {
    if (record === undefined) throw new Error(`replay: request ${id} has no record`);
    return record;
  });
}
