import { dnstap } from '@pdme/common/proto';
import dnsPacket from 'dns-packet';

const { Dnstap, Dnstap_Type, Message_Type, SocketFamily, SocketProtocol } = dnstap;

/** A CLIENT_QUERY dnstap payload as BIND writes it, for tests, fuzzing and the benches. */
export function dnstapQueryPayload(input: {
  readonly name: string;
  readonly address: readonly [number, number, number, number];
  readonly tsSec: number;
  readonly type?: dnsPacket.RecordType;
}): Uint8Array {
  const wire = dnsPacket.encode({
    type: 'query',
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: input.name, type: input.type ?? 'A' }],
  });
  return Dnstap.encode({
    type: Dnstap_Type.MESSAGE,
    message: {
      type: Message_Type.CLIENT_QUERY,
      socketFamily: SocketFamily.INET,
      socketProtocol: SocketProtocol.UDP,
      queryAddress: Buffer.from(input.address),
      queryPort: 53000,
      queryTimeSec: input.tsSec,
      queryTimeNsec: 123_456_789,
      queryMessage: wire,
    },
  }).finish();
}
