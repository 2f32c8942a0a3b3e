import { dirname, join } from 'node:path';
import { readBootstrapKey, type Scope } from '@pdme/common/auth';
import { sleep } from '../stack/processes.js';

export interface GatewayTarget {
  readonly http: string;
  /** The stack's config file: its secrets sit beside it. */
  readonly configFile: string;
  /** Decision's ops port: its `pdme_config_version` tells when a config change is in force there. */
  readonly decisionOpsPort: number;
}

function headers(target: GatewayTarget, scope: Scope): Record<string, string> {
  const key = readBootstrapKey(join(dirname(target.configFile), 'secrets'), scope);
  if (key === undefined) {
    throw new Error(
      `demo: no ${scope} key in ${join(dirname(target.configFile), 'secrets')}; run \`pdme stack up\``,
    );
  }
  return { authorization: `Bearer ${key}` };
}

async function failed(what: string, response: Response): Promise<Error> {
  return new Error(`demo: ${what} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

export interface AnnouncedEvent {
  readonly eventId: string;
  readonly resources: readonly string[];
  readonly intensity: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** POST /pdme/events: the announced flash crowd. Returns when the gateway has accepted it (202). */
export async function announceEvent(target: GatewayTarget, event: AnnouncedEvent): Promise<void> {
  const response = await fetch(`${target.http}/pdme/events`, {
    method: 'POST',
    headers: { ...headers(target, 'pdme:admin'), 'content-type': 'application/json' },
    body: JSON.stringify({ ...event, source: 'pdme-demo', resources: [...event.resources] }),
  });
  if (response.status !== 202) throw await failed('POST /pdme/events', response);
  await response.arrayBuffer();
}

/** GET /pdme/stats (read key). */
export async function readStats(target: GatewayTarget): Promise<unknown> {
  const response = await fetch(`${target.http}/pdme/stats`, { headers: headers(target, 'pdme:read') });
  if (!response.ok) throw await failed('GET /pdme/stats', response);
  return response.json();
}

/** Decision's config version, 0 while its ops port does not answer (a restart). */
async function decisionConfigVersion(target: GatewayTarget): Promise<number> {
  try {
    const text = await (
      await fetch(`http://127.0.0.1:${target.decisionOpsPort}/metrics`, {
        signal: AbortSignal.timeout(2_000),
      })
    ).text();
    const line = text.split('\n').find((l) => l.startsWith('pdme_config_version'));
    return Number(line?.split(' ').at(-1) ?? 0);
  } catch {
    return 0;
  }
}

/** A gateway answer worth retrying: it is restarting, overloaded or rate limiting. */
class RetryableAnswer extends Error {}

/**
 * Runs `attempt` until it succeeds or `withinMs` has passed, retrying on network errors and on
 * RetryableAnswer (5xx, 429): a pause must be undone even while the gateway restarts.
 */
async function retrying<T>(what: string, withinMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let wait = 250; ; wait = Math.min(2_000, wait * 2)) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof RetryableAnswer || error instanceof TypeError; // fetch: network
      if (!retryable || Date.now() + wait > deadline) {
        throw new Error(`demo: ${what} failed: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      await sleep(wait);
    }
  }
}

async function answerError(what: string, response: Response): Promise<Error> {
  const error = await failed(what, response);
  return response.status >= 500 || response.status === 429 ? new RetryableAnswer(error.message) : error;
}

/** How long config reads and changes keep retrying while the gateway or decision restarts. */
const CONFIG_RETRY_MS = 60_000;

/** `decision.paused` in the config in force (GET /pdme/config). */
export async function readDecisionsPaused(target: GatewayTarget): Promise<boolean | undefined> {
  return retrying('reading decision.paused', CONFIG_RETRY_MS, async () => {
    const response = await fetch(`${target.http}/pdme/config`, { headers: headers(target, 'pdme:admin') });
    if (!response.ok) throw await answerError('GET /pdme/config', response);
    return ((await response.json()) as { decision?: { paused?: boolean } }).decision?.paused;
  });
}

/**
 * Sets `decision.paused` through PATCH /pdme/config (If-Match on the current ETag; read again when
 * someone else changed the config meanwhile) and waits until decision runs that version. `undefined`
 * removes the key (the default: not paused). Returns the value it replaced, to restore later.
 * Retries for a minute while the gateway or decision restarts.
 */
export async function setDecisionsPaused(
  target: GatewayTarget,
  paused: boolean | undefined,
): Promise<boolean | undefined> {
  const { previous, version } = await retrying('setting decision.paused', CONFIG_RETRY_MS, async () => {
    const current = await fetch(`${target.http}/pdme/config`, { headers: headers(target, 'pdme:admin') });
    if (!current.ok) throw await answerError('GET /pdme/config', current);
    const etag = current.headers.get('etag') ?? '';
    const config = (await current.json()) as { decision?: { paused?: boolean } };
    const patched = await fetch(`${target.http}/pdme/config`, {
      method: 'PATCH',
      headers: {
        ...headers(target, 'pdme:admin'),
        'content-type': 'application/merge-patch+json',
        'if-match': etag,
      },
      body: JSON.stringify({ decision: { paused: paused ?? null } }),
    });
    if (patched.status === 412) throw new RetryableAnswer('the config changed meanwhile (412)');
    if (!patched.ok) throw await answerError('PATCH /pdme/config', patched);
    await patched.arrayBuffer();
    return {
      previous: config.decision?.paused,
      version: Number(patched.headers.get('pdme-config-version') ?? 0),
    };
  });
  const deadline = Date.now() + CONFIG_RETRY_MS;
  while ((await decisionConfigVersion(target)) < version) {
    if (Date.now() > deadline) {
      throw new Error(
        `demo: decision did not apply config version ${version} within ${CONFIG_RETRY_MS / 1000} s`,
      );
    }
    await sleep(100);
  }
  return previous;
}
