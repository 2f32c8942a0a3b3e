import { SERVICE_NAMES, type ServiceName } from '@pdme/cli/stack';
import { sleep } from '@pdme/cli/processes';
import {
  killService,
  pauseService,
  redisOutage,
  restartKafka,
  resumeService,
  startBindServer,
  startCache,
  startService,
  stopBindServer,
  stopCache,
} from './faults.js';
import type { ChaosHarness, FaultPlan } from './harness.js';

/**
 * The faults of a run, one plan each, with hold times for the short (CI) and the long (bench) form.
 * The combined plan holds several at once and repairs them together.
 */

export interface Holds {
  readonly kill: number;
  readonly kafka: number;
  readonly redis: number;
  readonly bind: number;
  readonly cache: number;
  readonly pause: number;
}

export const SHORT_HOLDS: Holds = {
  kill: 2_000,
  kafka: 3_000,
  redis: 5_000,
  bind: 15_000,
  cache: 10_000,
  pause: 10_000,
};
export const LONG_HOLDS: Holds = {
  kill: 10_000,
  kafka: 30_000,
  redis: 30_000,
  bind: 60_000,
  cache: 60_000,
  pause: 60_000,
};

export function noFault(name = 'none'): FaultPlan {
  return { name, holdMs: 0, inject: async () => undefined, repair: async () => undefined };
}

export function killPlan(service: ServiceName, holdMs: number): FaultPlan {
  return {
    name: `kill -9 ${service}`,
    holdMs,
    inject: async (h) => {
      if (service === 'ingest') await h.noteIngestStop();
      await killService(service);
    },
    repair: async (h) => startService(h.state, service, (m) => h.log(m)),
  };
}

export function kafkaPlan(holdMs: number): FaultPlan {
  let restarted: Promise<void> = Promise.resolve();
  return {
    name: 'kafka restart',
    holdMs: 0,
    // The broker's controlled shutdown and start are the fault; the hold sits between them.
    inject: async (h) => {
      restarted = restartKafka(holdMs, (m) => h.log(m));
      await sleep(100);
    },
    repair: async (h) => {
      await restarted;
      await h.collector.restart();
    },
  };
}

export function redisPlan(holdMs: number): FaultPlan {
  return {
    name: 'redis outage',
    holdMs,
    inject: async (h) => {
      const killed = await redisOutage(h.state.redisUrl, holdMs);
      h.log(`redis: killed ${killed} PDME connections, paused clients for ${holdMs} ms`);
    },
    // CLIENT PAUSE ends by itself after holdMs.
    repair: async () => undefined,
  };
}

export function bindPlan(holdMs: number): FaultPlan {
  return {
    name: 'BIND stopped',
    holdMs,
    inject: async (h) => {
      await h.noteBindStop();
      await stopBindServer();
    },
    repair: async (h) => startBindServer((m) => h.log(m)),
  };
}

export function cachePlan(serverId: string, holdMs: number): FaultPlan {
  return {
    name: `${serverId} down`,
    holdMs,
    downCaches: [serverId],
    inject: async () => stopCache(serverId),
    repair: async (h) => {
      await startCache(h.state, serverId, (m) => h.log(m));
    },
  };
}

export function pausePlan(service: ServiceName, holdMs: number): FaultPlan {
  return {
    name: `SIGSTOP ${service}`,
    holdMs,
    inject: async () => pauseService(service),
    repair: async () => resumeService(service),
  };
}

/** Several faults at once, repaired together (in reverse order). */
export function combinedPlan(name: string, plans: readonly FaultPlan[]): FaultPlan {
  return {
    name,
    holdMs: Math.max(...plans.map((p) => p.holdMs)),
    downCaches: plans.flatMap((p) => p.downCaches ?? []),
    inject: async (h: ChaosHarness) => {
      for (const p of plans) await p.inject(h);
    },
    repair: async (h: ChaosHarness) => {
      for (const p of [...plans].reverse()) await p.repair(h);
    },
  };
}

/** Every single fault, then the combination. */
export function allPlans(holds: Holds, cacheId: string, long: boolean): FaultPlan[] {
  const singles = [
    ...SERVICE_NAMES.map((s) => killPlan(s, holds.kill)),
    kafkaPlan(holds.kafka),
    redisPlan(holds.redis),
    bindPlan(holds.bind),
    cachePlan(cacheId, holds.cache),
    pausePlan('forecaster', holds.pause),
    ...(long ? [pausePlan('decision', holds.pause), pausePlan('dns-updater', holds.pause)] : []),
  ];
  const together = combinedPlan('together', [
    killPlan('forecaster', holds.kill),
    killPlan('decision', holds.kill),
    pausePlan('dns-updater', holds.pause),
    redisPlan(holds.redis),
    cachePlan(cacheId, holds.cache),
    ...(long ? [kafkaPlan(holds.kafka)] : []),
  ]);
  return [...singles, together];
}
