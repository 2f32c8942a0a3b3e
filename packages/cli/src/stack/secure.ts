// The secure profile's credentials and permissions: a private CA and one certificate per component,
// one Kafka SCRAM user and one Redis ACL user per service (passwords in 0600 files, never in configs or
// logs), and Kafka ACLs that let each service read and write only its own topics and groups.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import kafkajs, { Kafka, logLevel, type AclEntry } from 'kafkajs';
import { allTopicSpecs, dlqTopic, TOPICS, type TopicName } from '@pdme/common/topics';
import { LocalCa, type CertFiles } from './certs.js';
import type { NginxTls } from './caches.js';
import { adminClientSecurity, type KafkaBrokerSecurity } from './kafka.js';
import type { StackPaths } from './paths.js';
import type { StackPorts } from './profile.js';
import { SERVICE_NAMES, type ServiceName } from './services.js';
import type { ClusterTopology } from './topology.js';

/** The user the stack itself acts as in Kafka and Redis (topics, ACLs, API keys): a super user. */
export const ADMIN_USER = 'pdme-admin';
/** Name the origin's certificate is issued for; caches check it when they fetch over HTTPS. */
export const ORIGIN_TLS_NAME = 'origin.pdme.test';
const BROKER_CN = 'kafka-broker';
// kafkajs is CommonJS and Node cannot see these enums as named ESM exports: take them off the module.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;
type AclOperationTypes = kafkajs.AclOperationTypes;
type AclResourceTypes = kafkajs.AclResourceTypes;
type ResourcePatternTypes = kafkajs.ResourcePatternTypes;

export interface UserSecret {
  readonly name: string;
  readonly password: string;
  /** The 0600 file the password lives in (what services are given, never the password itself). */
  readonly file: string;
}

export interface SecureMaterial {
  readonly caFile: string;
  readonly kafka: KafkaBrokerSecurity;
  readonly kafkaUsers: ReadonlyMap<ServiceName, UserSecret>;
  readonly redis: {
    readonly tls: CertFiles;
    readonly admin: UserSecret;
    readonly users: ReadonlyMap<ServiceName, UserSecret>;
  };
  readonly gateway: CertFiles;
  readonly nginx: NginxTls;
}

/** What each service may do in Kafka: the topics it consumes and those it produces. */
export const SERVICE_TOPICS: Readonly<Record<ServiceName, { read: TopicName[]; write: TopicName[] }>> = {
  ingest: { read: [], write: [TOPICS.dnsQueries, TOPICS.accessLogs] },
  forecaster: { read: [TOPICS.dnsQueries, TOPICS.externalEvents], write: [TOPICS.demandForecasts] },
  decision: { read: [TOPICS.demandForecasts, TOPICS.mirrorResults], write: [TOPICS.mirrorCommands] },
  'dns-updater': { read: [TOPICS.mirrorCommands], write: [TOPICS.mirrorResults] },
  gateway: { read: [], write: [TOPICS.externalEvents] },
};

function userSecret(secretsDir: string, kind: 'kafka' | 'redis', name: string): UserSecret {
  const file = join(secretsDir, `${kind}-${name}.password`);
  // base64url: no character SCRAM's format-time syntax (`,` `]` `=`) or Redis' ACL syntax would mind.
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return { name, password: readFileSync(file, 'utf8').trim(), file };
}

/** Makes (or reuses, within one stack directory) the CA, certificates and users of the secure profile. */
export async function prepareSecureMaterial(
  paths: StackPaths,
  topology: readonly ClusterTopology[],
  originAddress: string,
): Promise<SecureMaterial> {
  const secrets = join(paths.root, 'secrets');
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  const ca = new LocalCa(join(paths.root, 'tls'));
  await ca.ensure();
  const loopback = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
  const servers = topology.flatMap((c) => c.servers);
  const [broker, redis, gateway, origin, ...caches] = await Promise.all([
    ca.issue({ name: BROKER_CN, ...loopback }),
    ca.issue({ name: 'redis', ...loopback }),
    ca.issue({ name: 'gateway', ...loopback }),
    ca.issue({ name: 'origin', dnsNames: [ORIGIN_TLS_NAME], ipAddresses: [originAddress] }),
    ...servers.map((s) => ca.issue({ name: s.id, dnsNames: [s.host], ipAddresses: [s.address] })),
  ]);
  if (broker === undefined || redis === undefined || gateway === undefined || origin === undefined)
    throw new Error('stack: certificate generation returned too few certificates');
  const kafkaUsers = new Map(SERVICE_NAMES.map((s) => [s, userSecret(secrets, 'kafka', s)] as const));
  const kafkaAdmin = userSecret(secrets, 'kafka', ADMIN_USER);
  const nginxCerts = new Map<string, CertFiles>([['origin', origin]]);
  servers.forEach((s, i) => {
    const files = caches[i];
    if (files !== undefined) nginxCerts.set(s.id, files);
  });
  return {
    caFile: ca.caFile,
    kafka: {
      keystoreFile: ca.keystore(broker, BROKER_CN),
      caFile: ca.caFile,
      brokerPrincipal: `User:CN=${BROKER_CN}`,
      scramUsers: [...kafkaUsers.values(), kafkaAdmin],
      admin: kafkaAdmin,
    },
    kafkaUsers,
    redis: {
      tls: redis,
      admin: userSecret(secrets, 'redis', ADMIN_USER),
      users: new Map(SERVICE_NAMES.map((s) => [s, userSecret(secrets, 'redis', s)] as const)),
    },
    gateway,
    nginx: { caFile: ca.caFile, certs: nginxCerts, originName: ORIGIN_TLS_NAME },
  };
}

function allow(
  principal: string,
  resourceType: AclResourceTypes,
  resourceName: string,
  operation: AclOperationTypes,
  pattern: ResourcePatternTypes = ResourcePatternTypes.LITERAL,
): AclEntry {
  return {
    principal,
    host: '*',
    resourceType,
    resourceName,
    resourcePatternType: pattern,
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  };
}

/** Each service: see every PDME topic (services check at start that all exist), use only its own. */
export function serviceAcls(service: ServiceName): AclEntry[] {
  const principal = `User:${service}`;
  const { read, write } = SERVICE_TOPICS[service];
  return [
    allow(
      principal,
      AclResourceTypes.TOPIC,
      'pdme.',
      AclOperationTypes.DESCRIBE,
      ResourcePatternTypes.PREFIXED,
    ),
    ...read.map((t) => allow(principal, AclResourceTypes.TOPIC, t, AclOperationTypes.READ)),
    // A message a consumer cannot handle goes to its topic's DLQ.
    ...read.map((t) => allow(principal, AclResourceTypes.TOPIC, dlqTopic(t), AclOperationTypes.WRITE)),
    ...write.map((t) => allow(principal, AclResourceTypes.TOPIC, t, AclOperationTypes.WRITE)),
    // Ingest sends malformed frames to the DLQ of the topic it writes.
    ...(service === 'ingest'
      ? write.map((t) => allow(principal, AclResourceTypes.TOPIC, dlqTopic(t), AclOperationTypes.WRITE))
      : []),
    // Groups are named after their service (`decision`, `decision-results`, `forecaster-events-<id>`).
    ...(read.length > 0
      ? [
          allow(
            principal,
            AclResourceTypes.GROUP,
            service,
            AclOperationTypes.READ,
            ResourcePatternTypes.PREFIXED,
          ),
        ]
      : []),
  ];
}

/** As the admin user: creates every topic (services may not) and the services' ACLs. */
export async function provisionKafka(bootstrap: string, security: KafkaBrokerSecurity): Promise<number> {
  const admin = new Kafka({
    clientId: 'pdme-stack-secure',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    ...adminClientSecurity(security),
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = allTopicSpecs().filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.numPartitions,
          replicationFactor: 1,
        })),
      });
    }
    const acl = SERVICE_NAMES.flatMap(serviceAcls);
    await admin.createAcls({ acl });
    return acl.length;
  } finally {
    await admin.disconnect();
  }
}

/** Redis ACL lines: no default user; each service its own user on the `pdme:` keys and channels. */
export function redisAclLines(material: SecureMaterial['redis']): string[] {
  // Only SHA-256 digests go into redis.conf; the passwords stay in their 0600 files.
  const hash = (password: string) => `#${createHash('sha256').update(password).digest('hex')}`;
  return [
    'user default off',
    `user ${material.admin.name} on ${hash(material.admin.password)} ~* &* +@all`,
    ...[...material.users.values()].map(
      // INFO: ioredis' ready check. Everything else PDME runs is outside @dangerous.
      (u) =>
        `user ${u.name} on ${hash(u.password)} resetkeys ~pdme:* resetchannels &pdme:* +@all -@dangerous +info`,
    ),
  ];
}

/** Environment every service of the secure stack shares (file paths only, no secret). */
export function secureCommonEnv(
  material: SecureMaterial,
  ports: StackPorts,
  redisUrl: string,
): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    KAFKA_SSL_CA_FILE: material.caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    REDIS_URL: redisUrl,
    REDIS_TLS_CA_FILE: material.caFile,
    GATEWAY_PORT: String(ports.gatewayHttp),
    GATEWAY_GRPC_PORT: String(ports.gatewayGrpc),
  };
}

/** Each service's own credentials (by file) and, for the gateway and dns-updater, their TLS settings. */
export function secureServiceEnv(material: SecureMaterial): Record<ServiceName, Record<string, string>> {
  const entries = SERVICE_NAMES.map((service) => {
    const kafka = material.kafkaUsers.get(service);
    const redis = material.redis.users.get(service);
    if (kafka === undefined || redis === undefined) throw new Error(`stack: no credentials for ${service}`);
    const env: Record<string, string> = {
      KAFKA_SASL_USERNAME: kafka.name,
      KAFKA_SASL_PASSWORD_FILE: kafka.file,
      REDIS_USERNAME: redis.name,
      REDIS_PASSWORD_FILE: redis.file,
    };
    if (service === 'gateway') {
      env['GATEWAY_TLS_CERT_FILE'] = material.gateway.cert;
      env['GATEWAY_TLS_KEY_FILE'] = material.gateway.key;
    }
    if (service === 'dns-updater') env['CACHE_TLS_CA_FILE'] = material.caFile;
    return [service, env] as const;
  });
  return Object.fromEntries(entries) as Record<ServiceName, Record<string, string>>;
}
