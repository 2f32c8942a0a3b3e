import { createHash } from 'node:crypto';

/**
 * A mirror command's id depends only on what it does and which decision made it, so a decision
 * replayed from Kafka yields the same id and the DNS updater applies it once.
 */
export function commandId(parts: {
  action: 'mirror' | 'unmirror';
  cluster: string;
  resource: string;
  serverId: string;
  /** The mirror generation: the time the mirror record was created. */
  generationMs: number;
}): string {
  return createHash('sha256')
    .update([parts.action, parts.cluster, parts.resource, parts.serverId, parts.generationMs].join('|'))
    .digest('hex')
    .slice(0, 32);
}
