import type { Command } from 'commander';
import { Redis } from 'ioredis';
import { ApiKeyStore, scopeFromShortName } from '@pdme/common/auth';
import {
  activateEnvelopeKey,
  addEnvelopeKey,
  describeEnvelopeKeyring,
  dropEnvelopeKey,
  ensureEnvelopeKeyring,
  envelopeKeyringFile,
} from '../stack/envelopeKeyring.js';
import { readStackState, stackPaths } from '../stack/stack.js';
import { note, say } from './output.js';

interface RedisOption {
  readonly redisUrl?: string;
}

/** The Redis of `--redis-url`, else the running local stack's, else the default local one. */
function redisUrlOf(options: RedisOption): string {
  return options.redisUrl ?? readStackState()?.redisUrl ?? 'redis://127.0.0.1:6379';
}

async function withStore<T>(options: RedisOption, run: (store: ApiKeyStore) => Promise<T>): Promise<T> {
  const redis = new Redis(redisUrlOf(options), { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  try {
    return await run(new ApiKeyStore(redis));
  } finally {
    redis.disconnect();
  }
}

function when(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString();
}

/** `pdme keys create|list|revoke`: API keys of the gateway, stored hashed in Redis. */
export function registerKeysCommand(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys for the gateway (HTTP and gRPC), stored hashed in Redis')
    .option('--redis-url <url>', 'Redis holding the keys (default: the running local stack)');

  keys
    .command('create')
    .description('create a key and print it once: it cannot be shown again')
    .requiredOption('--scope <scope>', 'read (pdme:read) or admin (pdme:admin, implies read)')
    .option('--name <name>', 'what the key is for', 'unnamed')
    .action(async (options: { scope: string; name: string }) => {
      const scope = scopeFromShortName(options.scope);
      if (scope === undefined) {
        note(`unknown scope "${options.scope}": choose read or admin`);
        process.exitCode = 2;
        return;
      }
      const created = await withStore(keys.opts<RedisOption>(), (store) => store.create(scope, options.name));
      note(`key ${created.info.id} (${scope}, "${created.info.name}"): shown only now, keep it secret`);
      say(created.key);
    });

  keys
    .command('list')
    .description('list keys (id, scope, name, created, revoked); never the secrets')
    .action(async () => {
      const all = await withStore(keys.opts<RedisOption>(), (store) => store.list());
      say(
        ['id'.padEnd(16), 'scope'.padEnd(10), 'created'.padEnd(24), 'revoked'.padEnd(24), 'name'].join('  '),
      );
      for (const key of all) {
        say(
          [
            key.id,
            key.scope.padEnd(10),
            when(key.createdMs).padEnd(24),
            when(key.revokedMs).padEnd(24),
            key.name,
          ].join('  '),
        );
      }
    });

  keys
    .command('revoke')
    .description('revoke a key by id; the gateway refuses it from the next request on')
    .argument('<id>', 'the key id (see pdme keys list)')
    .action(async (id: string) => {
      const revoked = await withStore(keys.opts<RedisOption>(), (store) => store.revoke(id));
      say(`revoked ${revoked.id} (${revoked.scope}, "${revoked.name}") at ${when(revoked.revokedMs)}`);
    });

  registerEnvelopeCommands(keys);
}

interface FileOption {
  readonly file?: string;
}

/**
 * `pdme keys envelope init|list|add|activate|drop`: the at-rest keyring file every service re-reads
 * within seconds. Rotation (docs/security.md): add, wait for the reload, activate, and drop the old
 * key only once nothing sealed under it is kept (Kafka retention, Redis values re-written).
 */
function registerEnvelopeCommands(keys: Command): void {
  const envelope = keys
    .command('envelope')
    .description(
      'at-rest envelope keys (AES-256-GCM) of Kafka payloads and Redis config/audit; never printed',
    )
    .option(
      '--file <path>',
      "the keyring document (default: the local stack's secrets/envelope-keyring.json)",
    );
  const fileOf = () => envelope.opts<FileOption>().file ?? envelopeKeyringFile(stackPaths());
  const show = () => {
    const { active, ids } = describeEnvelopeKeyring(fileOf());
    say(`active ${active}; keys ${ids.join(', ')}`);
  };

  envelope
    .command('init')
    .description('write a keyring with one fresh active key, unless the file exists')
    .action(() => {
      note(
        ensureEnvelopeKeyring(fileOf()) ? `wrote ${fileOf()} (mode 0600)` : `${fileOf()} exists; unchanged`,
      );
      show();
    });
  envelope.command('list').description('the key ids and the active one').action(show);
  envelope
    .command('add')
    .description('rotation step 1: add a new key (readers learn it; writers keep the active key)')
    .option('--id <id>', 'the new key id (default k<yyyymmdd>-<n>)')
    .action((options: { id?: string }) => {
      const id = addEnvelopeKey(fileOf(), options.id);
      note(`added ${id}; activate it once every service has reloaded (a few seconds)`);
      say(id);
    });
  envelope
    .command('activate')
    .description('rotation step 2: seal new data under this key')
    .argument('<id>', 'a key id of the keyring')
    .action((id: string) => {
      activateEnvelopeKey(fileOf(), id);
      show();
    });
  envelope
    .command('drop')
    .description('rotation step 3: forget an old key, once no data sealed under it is kept')
    .argument('<id>', 'a key id that is not active')
    .action((id: string) => {
      dropEnvelopeKey(fileOf(), id);
      show();
    });
}
