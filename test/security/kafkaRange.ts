import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export type Offsets = Map<number, number>;

/** Each partition's high watermark (the offset the next message gets). */
export async function highWater(kafka: Kafka, topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
}

/** Every message of `topic` between two sets of offsets, with a raw consumer (no PDME code). */
export async function readRange(
  kafka: Kafka,
  topic: string,
  from: Offsets,
  to: Offsets,
): Promise<KafkaMessage[]> {
  const remaining = new Set([...to].filter(([p, high]) => high > (from.get(p) ?? 0)).map(([p]) => p));
  const messages: KafkaMessage[] = [];
  if (remaining.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `security-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          if (offset >= (from.get(partition) ?? 0) && offset < (to.get(partition) ?? 0))
            messages.push(message);
          if (offset + 1 >= (to.get(partition) ?? 0)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
      for (const [partition, offset] of from) consumer.seek({ topic, partition, offset: String(offset) });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
