/** Creates or deletes the bench topic (6 partitions, like the live ones). */
import { readStackState } from '@pdme/cli/stack';
import { Kafka, logLevel } from 'kafkajs';

const [action, topic = ''] = process.argv.slice(2);
const stack = readStackState();
if (stack === undefined || !topic.startsWith('pdme-bench-ingest-')) {
  throw new Error('usage: topic.ts create|delete pdme-bench-ingest-<id> (with the stack up)');
}
const admin = new Kafka({
  clientId: 'pdme-bench-ingest',
  brokers: [stack.kafka.bootstrap],
  logLevel: logLevel.ERROR,
}).admin();
await admin.connect();
try {
  if (action === 'create')
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
  else await admin.deleteTopics({ topics: [topic] });
} finally {
  await admin.disconnect();
}
