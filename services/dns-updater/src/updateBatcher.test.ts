import { describe, expect, it } from 'vitest';
import { DnsUpdateError, type UpdateRequest } from './rfc2136/index.js';
import { UpdateBatcher, type UpdateSender } from './updateBatcher.js';

const ZONE = 'cdn.example';

function add(name: string, guard = false): UpdateRequest {
  return {
    zone: ZONE,
    prerequisites: guard ? [{ kind: 'nameNotInUse', name }] : [],
    updates: [{ kind: 'add', record: { name, type: 'CNAME', ttl: 30, data: 'cache.cdn.example' } }],
  };
}

function prereqError(): DnsUpdateError {
  return new DnsUpdateError('YXDOMAIN', 'name in use', { server: '127.0.0.1', port: 53, zone: ZONE });
}

/** A server that applies messages all-or-none and refuses any that touch a name in `taken`. */
class FakeServer implements UpdateSender {
  readonly messages: UpdateRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly taken = new Set<string>()) {}
  async send(update: UpdateRequest): Promise<void> {
    this.messages.push(update);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    this.inFlight--;
    if ((update.prerequisites ?? []).some((p) => this.taken.has(p.name))) throw prereqError();
  }
}

describe('UpdateBatcher', () => {
  it('puts requests submitted together into messages of at most maxChanges', async () => {
    const server = new FakeServer();
    const batcher = new UpdateBatcher({ client: server, maxChanges: 100, windowMs: 0 });
    await Promise.all(Array.from({ length: 250 }, (_, i) => batcher.send(add(`n${i}.${ZONE}`))));
    expect(server.messages.map((m) => m.updates.length)).toEqual([100, 100, 50]);
  });

  it('never puts two requests for one name in one message, and keeps their order', async () => {
    const server = new FakeServer();
    const batcher = new UpdateBatcher({ client: server, windowMs: 0, maxInFlight: 4 });
    const name = `same.${ZONE}`;
    await Promise.all([batcher.send(add(name)), batcher.send(add(`other.${ZONE}`)), batcher.send(add(name))]);
    expect(server.messages).toHaveLength(2);
    expect(server.messages[0]?.updates).toHaveLength(2);
    expect(server.maxInFlight).toBe(1);
  });

  it('gives each request its own answer when one prerequisite of a merged message fails', async () => {
    const server = new FakeServer(new Set([`n3.${ZONE}`]));
    const batcher = new UpdateBatcher({ client: server, windowMs: 0 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => batcher.send(add(`n${i}.${ZONE}`, true))),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
  });

  it('rejects every request of a message with a shared failure (bad key, server down) without splitting', async () => {
    let calls = 0;
    const down: UpdateSender = {
      send: () => {
        calls++;
        return Promise.reject(new DnsUpdateError('NETWORK', 'down', { server: '127.0.0.1', port: 53 }));
      },
    };
    const batcher = new UpdateBatcher({ client: down, windowMs: 0 });
    const outcomes = await Promise.allSettled([1, 2, 3].map((i) => batcher.send(add(`n${i}.${ZONE}`))));
    expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
    expect(calls).toBe(1);
  });

  it('keeps at most maxInFlight messages outstanding', async () => {
    const server = new FakeServer();
    const batcher = new UpdateBatcher({ client: server, maxChanges: 1, windowMs: 0, maxInFlight: 3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.send(add(`n${i}.${ZONE}`))));
    expect(server.messages).toHaveLength(20);
    expect(server.maxInFlight).toBe(3);
  });
});
