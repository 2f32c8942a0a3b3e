// A real single-node Apache Kafka 4.x broker (KRaft, combined broker+controller) for the local stack,
// started straight from jars that Maven fetches from Central: no Docker, and the release tarball is
// not reachable from our machines. deploy/local/kafka/pom.xml pins the version, log4j2.yaml the logging.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { repoRoot } from '@pdme/common/repo-root';
import type { StackPaths } from './paths.js';
import { isAlive, runningPid, startDetached, stopDetached, waitFor } from './processes.js';

export interface KafkaInfo {
  bootstrap: string;
  version: string;
  dataDir: string;
  /** How clients reach `bootstrap`: PLAINTEXT (default stack) or SASL_SSL (secure profile). */
  security?: 'PLAINTEXT' | 'SASL_SSL';
}

export interface KafkaPorts {
  readonly broker: number;
  readonly controller: number;
  /** The broker's own (inter-broker) SSL listener; secure profile only. */
  readonly internal?: number;
}

/**
 * The secure profile's broker: every listener speaks TLS (the controller and inter-broker listeners
 * with the broker's own certificate), clients authenticate with SCRAM-SHA-512 on SASL_SSL, and the
 * StandardAuthorizer denies whatever no ACL allows.
 */
export interface KafkaBrokerSecurity {
  /** PEM: the broker's PKCS#8 key followed by its certificate. */
  readonly keystoreFile: string;
  readonly caFile: string;
  /** Principal of the broker's certificate, e.g. `User:CN=kafka-broker`. */
  readonly brokerPrincipal: string;
  /** SCRAM users written into the metadata log at format time (KRaft: no ZooKeeper to add them later). */
  readonly scramUsers: readonly { readonly name: string; readonly password: string }[];
  /** The user the stack itself connects as (a super user: creates topics and ACLs). */
  readonly admin: { readonly name: string; readonly password: string };
}

/** kafkajs options that reach a secure broker as its admin user. */
export function adminClientSecurity(security: KafkaBrokerSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  return {
    ssl: { ca: readFileSync(security.caFile) },
    sasl: { mechanism: 'scram-sha-512', username: security.admin.name, password: security.admin.password },
  };
}

const NAME = 'kafka';
// JVM start, KRaft election and metadata replay: ~6 s on an idle machine, 20-40 s on busy CPUs.
const READY_TIMEOUT_MS = 90_000;
const JAVA_HINT = 'openjdk-17-jre-headless (Kafka 4.x brokers need Java 17+)';

function kafkaDir(): string {
  return join(repoRoot(), 'deploy', 'local', 'kafka');
}

/** The version lives only in the pom, so the cache folder and KafkaInfo can never disagree with it. */
function kafkaVersion(): string {
  const m = /<kafka\.version>\s*([^<\s]+)\s*<\/kafka\.version>/.exec(
    readFileSync(join(kafkaDir(), 'pom.xml'), 'utf8'),
  );
  if (!m?.[1]) throw new Error('stack: kafka.version property missing from deploy/local/kafka/pom.xml');
  return m[1];
}

function ports(): KafkaPorts {
  const num = (name: string, fallback: number): number => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n <= 0 || n > 65_535)
      throw new Error(`stack: ${name}=${raw} is not a TCP port`);
    return n;
  };
  // 19092/19093 rather than 9092/9093 so a developer's own Kafka does not collide with the stack's.
  return { broker: num('PDME_KAFKA_PORT', 19092), controller: num('PDME_KAFKA_CONTROLLER_PORT', 19093) };
}

function requireTool(command: string, args: string[], hint: string): void {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  if (r.error) throw new Error(`stack: \`${command}\` not found on PATH; install ${hint}`);
}

function javaBin(): string {
  // Honour JAVA_HOME like Kafka's own scripts do, so a second JDK on PATH does not win.
  const home = process.env['JAVA_HOME'];
  return home && existsSync(join(home, 'bin', 'java')) ? join(home, 'bin', 'java') : 'java';
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const out = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`stack: ${command} ${args.join(' ')} failed: ${err.message}\n${out}`));
      } else resolve(stdout);
    });
  });
}

/**
 * Copies the broker's runtime classpath into <cache>/kafka-<version>/libs, once. The marker holds the
 * pom's hash: it is written last, so an interrupted download (or an edited pom) is fetched again.
 */
export async function fetchKafkaJars(paths: StackPaths, log: (msg: string) => void): Promise<string> {
  const version = kafkaVersion();
  const pom = join(kafkaDir(), 'pom.xml');
  const home = join(paths.cache, `kafka-${version}`);
  const libs = join(home, 'libs');
  const marker = join(home, '.complete');
  const pomHash = createHash('sha256').update(readFileSync(pom)).digest('hex');
  if (existsSync(marker) && readFileSync(marker, 'utf8').trim() === pomHash) return libs;

  requireTool(javaBin(), ['-version'], JAVA_HINT);
  requireTool('mvn', ['-v'], 'maven');
  log(`kafka: fetching Kafka ${version} jars from Maven Central into ${libs} (first run only, ~45 MB)`);
  // Leftovers of an older pom (say another log4j version) would end up on the classpath twice.
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  await run(
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      pom,
      'dependency:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${libs}`,
    ],
    repoRoot(),
  );
  writeFileSync(marker, `${pomHash}\n`);
  return libs;
}

function listenerProperties(ports: KafkaPorts, security: KafkaBrokerSecurity | undefined): string {
  const { broker, controller } = ports;
  if (security === undefined)
    return `listeners=PLAINTEXT://127.0.0.1:${broker},CONTROLLER://127.0.0.1:${controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${broker}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT`;
  if (ports.internal === undefined)
    throw new Error('stack: the secure Kafka needs an internal listener port');
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return `# Secure profile: TLS on every listener. Clients: SASL_SSL with SCRAM-SHA-512. The broker talks to
# its controller and to itself over SSL with its own certificate (mutual TLS, principal ${security.brokerPrincipal}).
listeners=SASL_SSL://127.0.0.1:${broker},INTERNAL://127.0.0.1:${ports.internal},CONTROLLER://127.0.0.1:${controller}
advertised.listeners=SASL_SSL://127.0.0.1:${broker},INTERNAL://127.0.0.1:${ports.internal}
controller.listener.names=CONTROLLER
inter.broker.listener.name=INTERNAL
listener.security.protocol.map=CONTROLLER:SSL,INTERNAL:SSL,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas}
ssl.keystore.type=PEM
ssl.keystore.location=${security.keystoreFile}
ssl.truststore.type=PEM
ssl.truststore.location=${security.caFile}
ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none
ssl.enabled.protocols=TLSv1.3,TLSv1.2
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=${security.brokerPrincipal};User:${security.admin.name}`;
}

function serverProperties(ports: KafkaPorts, dataDir: string, security?: KafkaBrokerSecurity): string {
  return `# Written by pdme stack (packages/cli/src/stack/kafka.ts) on every start; edits are lost.
process.roles=broker,controller
node.id=1
# Static quorum: storage is formatted without --standalone.
controller.quorum.voters=1@127.0.0.1:${ports.controller}
${listenerProperties(ports, security)}
log.dirs=${dataDir}
num.partitions=6
default.replication.factor=1
min.insync.replicas=1
# Internal topics default to RF 3 and would never become available on one node.
offsets.topic.replication.factor=1
# 50 partitions by default: loading them delays the first consumer group join.
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=6
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# Tests join groups constantly; the 3 s default only makes each one wait.
group.initial.rebalance.delay.ms=0
# The cleaner's 128 MiB default buffer is allocated on the 512 MiB heap.
log.cleaner.dedupe.buffer.size=16777216
# Topics are created explicitly (admin) so a typo cannot create one with the wrong partition count.
auto.create.topics.enable=false
`;
}

/** Formats the data dir once; the cluster id lives in its meta.properties from then on. */
async function formatStorage(
  java: string,
  classpath: string[],
  config: string,
  dataDir: string,
  scramUsers: readonly { readonly name: string; readonly password: string }[] = [],
): Promise<void> {
  // Each StorageTool call is a JVM start (1-5 s), so skip both on an already formatted dir.
  if (existsSync(join(dataDir, 'meta.properties'))) return;
  const out = await run(java, [...classpath, 'kafka.tools.StorageTool', 'random-uuid'], dataDir);
  const clusterId = out.trim().split('\n').pop()?.trim() ?? '';
  if (!/^[A-Za-z0-9_-]{22}$/.test(clusterId))
    throw new Error(`stack: StorageTool random-uuid printed ${out}`);
  // --ignore-formatted: a format interrupted after writing meta.properties is not an error on retry.
  const args = ['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', config, '--ignore-formatted'];
  // The passwords pass through argv of a short-lived local JVM only; they never reach a log.
  for (const user of scramUsers)
    args.push('--add-scram', `SCRAM-SHA-512=[name=${user.name},password=${user.password}]`);
  await run(java, [...classpath, ...args], dataDir).catch((error: unknown) => {
    // run() quotes its arguments in the error: keep the SCRAM passwords out of it.
    throw new Error(String((error as Error).message).replace(/password=[^\]]*/g, 'password=[redacted]'));
  });
}

function tcpOpen(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when the broker answers a metadata request: an open port alone is not enough during startup. */
export async function kafkaReady(
  bootstrap: string,
  client: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Promise<boolean> {
  const [host = '127.0.0.1', port = '9092'] = bootstrap.split(':');
  if (!(await tcpOpen(host, Number(port)))) return false;
  const admin = new Kafka({
    clientId: 'pdme-stack-ready',
    brokers: [bootstrap],
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
    ...client,
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function logTail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no log file)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Waits until `pid` serves metadata; fails fast, with the log's tail, if it exits first. */
async function awaitReady(
  pid: number,
  bootstrap: string,
  logFile: string,
  client: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Promise<void> {
  let died = false;
  const failure = (msg: string): Error =>
    new Error(`${msg}\n--- last lines of ${logFile} ---\n${logTail(logFile)}`);
  try {
    await waitFor(
      `kafka (pid ${pid}) on ${bootstrap}`,
      async () => (died = !isAlive(pid)) || kafkaReady(bootstrap, client),
      READY_TIMEOUT_MS,
    );
  } catch (err) {
    throw failure((err as Error).message);
  }
  if (died) throw failure(`stack: kafka (pid ${pid}) exited during startup`);
}

export interface KafkaStartOptions {
  /** Default: 19092/19093, or PDME_KAFKA_PORT / PDME_KAFKA_CONTROLLER_PORT. */
  readonly ports?: KafkaPorts;
  /** TLS, SCRAM users and ACL enforcement (secure profile); plaintext without. */
  readonly security?: KafkaBrokerSecurity;
}

/** Starts the broker unless it already runs; resolves once it serves metadata. */
export async function startKafka(
  paths: StackPaths,
  log: (msg: string) => void,
  options: KafkaStartOptions = {},
): Promise<KafkaInfo> {
  const kafkaPorts = options.ports ?? ports();
  const { broker } = kafkaPorts;
  const { security } = options;
  const version = kafkaVersion();
  const dataDir = join(paths.root, 'kafka', 'data');
  const info: KafkaInfo = {
    bootstrap: `127.0.0.1:${broker}`,
    version,
    dataDir,
    security: security === undefined ? 'PLAINTEXT' : 'SASL_SSL',
  };
  const logFile = join(paths.logs, `${NAME}.log`);
  const client = security === undefined ? {} : adminClientSecurity(security);

  const existing = runningPid(paths, NAME);
  if (existing !== undefined) {
    // Ours and alive: maybe a parallel `stack up` is still starting it, so wait instead of starting twice.
    await awaitReady(existing, info.bootstrap, logFile, client);
    return info;
  }
  if (await tcpOpen('127.0.0.1', broker)) {
    throw new Error(
      `stack: port ${broker} is taken by a process pdme did not start; stop it or set PDME_KAFKA_PORT`,
    );
  }

  const libs = await fetchKafkaJars(paths, log);
  const java = javaBin();
  requireTool(java, ['-version'], JAVA_HINT);
  const config = join(paths.root, 'kafka', 'server.properties');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(config, serverProperties(kafkaPorts, dataDir, security), { mode: 0o600 });
  // java expands the `*` itself (no shell involved): every jar in libs, in directory order.
  const classpath = ['-cp', join(libs, '*')];
  await formatStorage(java, classpath, config, dataDir, security?.scramUsers);

  log(`kafka: starting Kafka ${version} on ${info.bootstrap} (log: ${logFile})`);
  const pid = startDetached(paths, {
    name: NAME,
    command: java,
    // kafka-server-start.sh's JVM flags, with a test-sized heap; without the log4j2 file the broker
    // would fall back to log4j's ERROR-only default and the log would say nothing about startup.
    args: [
      '-Xmx512m',
      '-Xms512m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-XX:InitiatingHeapOccupancyPercent=35',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(kafkaDir(), 'log4j2.yaml')}`,
      ...classpath,
      'kafka.Kafka',
      config,
    ],
    cwd: join(paths.root, 'kafka'),
  });
  try {
    await awaitReady(pid, info.bootstrap, logFile, client);
  } catch (err) {
    // A half-started broker would hold the ports and the data dir lock; the next attempt starts clean.
    await stopKafka(paths);
    throw err;
  }
  return info;
}

/** Controlled shutdown takes a few seconds (it flushes and closes the metadata log); SIGKILL after 20 s. */
export async function stopKafka(paths: StackPaths): Promise<boolean> {
  return stopDetached(paths, NAME, 20_000);
}
