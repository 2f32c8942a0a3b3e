import { describe, expect, it } from 'vitest';
import { allInstances, INGEST_DNSTAP_TCP_BASE_PORT, OPS_PORTS, serviceInstance } from './services.js';

describe('serviceInstance', () => {
  it('keeps instance 1 as the stack always named and ported it', () => {
    const first = serviceInstance('decision');
    expect(first).toMatchObject({ name: 'decision', opsPort: OPS_PORTS.decision, unset: [] });
    expect(first.env).toEqual({ OPS_PORT: '18130', INSTANCE_ID: 'decision' });
  });

  it('gives further instances their own name, ops port and INSTANCE_ID', () => {
    expect(serviceInstance('forecaster', 3)).toMatchObject({
      name: 'forecaster-3',
      opsPort: 18122,
      env: { OPS_PORT: '18122', INSTANCE_ID: 'forecaster-3' },
    });
  });

  it('lets only the first ingest read BIND’s dnstap socket; the others listen on TCP', () => {
    expect(serviceInstance('ingest').unset).toEqual([]);
    const second = serviceInstance('ingest', 2);
    expect(second.unset).toEqual(['DNSTAP_SOCKET']);
    expect(second.env['DNSTAP_TCP']).toBe(`127.0.0.1:${INGEST_DNSTAP_TCP_BASE_PORT + 2}`);
  });

  it('moves a second gateway’s API ports', () => {
    expect(serviceInstance('gateway', 2).env).toMatchObject({
      GATEWAY_PORT: '18002',
      GATEWAY_GRPC_PORT: '18003',
    });
  });

  it('never hands two instances the same port', () => {
    const ports = allInstances(10).flatMap((i) =>
      [i.opsPort, i.env['DNSTAP_TCP']?.split(':')[1], i.env['GATEWAY_PORT'], i.env['GATEWAY_GRPC_PORT']]
        .filter((p) => p !== undefined)
        .map(Number),
    );
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('refuses instance numbers outside 1..10', () => {
    expect(() => serviceInstance('ingest', 0)).toThrow(/1\.\.10/);
    expect(() => serviceInstance('ingest', 11)).toThrow(/1\.\.10/);
  });
});
