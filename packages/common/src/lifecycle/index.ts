import type { Logger } from '../logging/index.js';
import { errorMessage } from '../errors/index.js';

/** Shutdown runs phase by phase in this order, whatever order the steps were registered in. */
export const SHUTDOWN_PHASES = ['servers', 'consumers', 'producers', 'stores'] as const;
export type ShutdownPhase = (typeof SHUTDOWN_PHASES)[number];

export interface ShutdownStep {
  readonly name: string;
  readonly phase: ShutdownPhase;
  readonly run: () => Promise<void>;
}

/**
 * Readiness and ordered shutdown for a service. On SIGTERM or SIGINT: not ready first, then the
 * registered steps phase by phase (servers, consumers, producers, stores), all under one deadline
 * shorter than Kubernetes' terminationGracePeriodSeconds.
 */
export class Lifecycle {
  private ready = false;
  private stopping: Promise<void> | undefined;
  private readonly steps: ShutdownStep[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs = 20_000,
  ) {}

  isReady(): boolean {
    return this.ready && this.stopping === undefined;
  }

  markReady(): void {
    this.ready = true;
    this.logger.info({ event: 'lifecycle.ready' }, 'service ready');
  }

  onShutdown(phase: ShutdownPhase, name: string, run: () => Promise<void>): void {
    this.steps.push({ name, phase, run });
  }

  /** Installs the signal handlers; the process exits once shutdown completes or times out. */
  handleSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    const onSignal = (signal: NodeJS.Signals) => {
      this.logger.info({ event: 'lifecycle.signal', signal }, 'shutting down');
      void this.shutdown().then(
        () => exit(0),
        () => exit(1),
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  shutdown(): Promise<void> {
    this.stopping ??= this.runSteps();
    return this.stopping;
  }

  private async runSteps(): Promise<void> {
    this.ready = false;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`shutdown exceeded ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    const sequence = (async () => {
      const ordered = SHUTDOWN_PHASES.flatMap((phase) => this.steps.filter((step) => step.phase === phase));
      for (const step of ordered) {
        try {
          await step.run();
          this.logger.info({ event: 'lifecycle.step_done', step: step.name }, 'shutdown step done');
        } catch (error) {
          this.logger.error(
            { event: 'lifecycle.step_failed', step: step.name, error: errorMessage(error) },
            'shutdown step failed',
          );
        }
      }
    })();
    try {
      await Promise.race([sequence, deadline]);
      this.logger.info({ event: 'lifecycle.stopped' }, 'service stopped');
    } catch (error) {
      this.logger.error(
        { event: 'lifecycle.shutdown_timeout', error: errorMessage(error) },
        'shutdown timed out',
      );
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Exponential backoff with jitter (half fixed, half random): what a retry waits before attempt `attempt` (1-based). */
export function backoffMs(
  attempt: number,
  baseMs = 200,
  capMs = 30_000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
