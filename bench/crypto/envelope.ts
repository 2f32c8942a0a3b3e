/**
 * Seal/open throughput of the AES-256-GCM envelope (@pdme/common/crypto) for QueryEvent-sized
 * payloads, to judge the cost of sealing every event at ingest. Prints figures; asserts nothing.
 * Run: pnpm exec tsx bench/crypto/envelope.ts
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { EnvelopeCipher, Keyring } from '@pdme/common/crypto';

const cipher = new EnvelopeCipher(new Keyring(new Map([['k1', randomBytes(32)]]), 'k1'));
const aad = Buffer.from('pdme.dns-queries.v1/www.example.cdn.pdme.test');

for (const size of [128, 1024, 16_384]) {
  const plaintext = randomBytes(size);
  const rounds = size > 4096 ? 20_000 : 100_000;
  const sealed: Buffer[] = [];
  let start = performance.now();
  for (let i = 0; i < rounds; i += 1) sealed.push(cipher.seal(plaintext, aad));
  const sealMs = performance.now() - start;
  start = performance.now();
  for (const payload of sealed) cipher.open(payload, aad);
  const openMs = performance.now() - start;
  const overhead = (sealed[0]?.length ?? 0) - size;
  process.stdout.write(
    `payload ${String(size).padStart(5)} B: seal ${Math.round((rounds / sealMs) * 1000)}/s ` +
      `(${((sealMs * 1000) / rounds).toFixed(2)} µs), open ${Math.round((rounds / openMs) * 1000)}/s ` +
      `(${((openMs * 1000) / rounds).toFixed(2)} µs), overhead ${overhead} B\n`,
  );
}
