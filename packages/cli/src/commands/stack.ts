import { InvalidArgumentError, type Command } from 'commander';
import { startCaches, stopCaches } from '../stack/caches.js';
import { stackPaths } from '../stack/paths.js';
import { runningPid } from '../stack/processes.js';
import { readStackState, runningProcesses, serviceEnv, stackDown, stackUp } from '../stack/stack.js';
import {
  allInstances,
  isServiceName,
  MAX_INSTANCES,
  SERVICE_NAMES,
  serviceInstance,
  startInstance,
  stopInstance,
  waitInstanceReady,
} from '../stack/services.js';
import { defaultTopology } from '../stack/dns.js';
import { secureProfile, type StackProfile } from '../stack/profile.js';
import { note, say } from './output.js';

const SECURE_HELP =
  'the secure profile: its own stack next to the plain one (.pdme/stack-secure, ports 2xxxx), ' +
  'TLS on every hop, SCRAM and ACL users per service';

/** The profile a command's --secure flag selects; undefined is the plain stack. */
function profileOf(options: { secure?: boolean }): StackProfile | undefined {
  return options.secure === true ? secureProfile() : undefined;
}

function parseInstances(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_INSTANCES)
    throw new InvalidArgumentError(`must be a whole number 1..${MAX_INSTANCES}`);
  return n;
}

export function registerStackCommands(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local stack: Kafka (KRaft), Redis, BIND 9, nginx caches and the PDME services');

  stack
    .command('up')
    .description('start everything that is not running yet and wait until it is ready')
    .option('--keep-data', 'keep Kafka data, zones and Redis state from an earlier run', false)
    .option('--no-services', 'start only Kafka, Redis, BIND and nginx, not the PDME services')
    .option(
      '--instances <n>',
      `instances of each service side by side, 1..${MAX_INSTANCES} (ops ports base, base+1, ...; ` +
        'only the first ingest reads BIND dnstap, the others listen on 127.0.0.1:18190+n)',
      parseInstances,
      1,
    )
    .option('--secure', SECURE_HELP, false)
    .action(async (options: { keepData: boolean; services: boolean; instances: number; secure: boolean }) => {
      const started = Date.now();
      const profile = profileOf(options);
      const state = await stackUp({
        keepData: options.keepData,
        services: options.services,
        instances: options.instances,
        ...(profile === undefined ? {} : { profile }),
        log: note,
      });
      say(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      say(`  kafka    ${state.kafka.bootstrap} (Apache Kafka ${state.kafka.version}, KRaft)`);
      say(`  redis    ${state.redisUrl}`);
      say(`  bind     ${state.bind.server}:${state.bind.port} zone ${state.bind.zone}`);
      say(`  caches   ${state.caches.servers.map((s) => `${s.name}=${s.address}:${s.port}`).join(' ')}`);
      say(`  gateway  ${state.gateway.http}/pdme/stats, gRPC ${state.gateway.grpc}`);
      if (state.caFile !== undefined) say(`  CA       ${state.caFile} (every certificate of this stack)`);
      say(`  logs     ${(profile?.paths ?? stackPaths()).logs}`);
    });

  stack
    .command('down')
    .description('stop the PDME services, then Kafka, BIND, nginx and our own Redis; nothing is left running')
    .option('--secure', 'stop the secure profile (the plain stack keeps running)', false)
    .action(async (options: { secure: boolean }) => {
      await stackDown(note, profileOf(options));
    });

  stack
    .command('restart')
    .description(
      `restart one PDME service of the running stack (${SERVICE_NAMES.join(', ')}), e.g. after a code change, ` +
        'or `caches`: the origin and every nginx cache (new nginx templates; cached entries are kept)',
    )
    .argument('<service>', 'the service to restart, or caches')
    .option('--secure', 'restart it in the secure profile', false)
    .action(async (service: string, options: { secure: boolean }) => {
      const profile = profileOf(options);
      const paths = profile?.paths ?? stackPaths();
      const state = readStackState(paths);
      if (state === undefined) throw new Error('the stack is not up: run `pnpm pdme stack up` first');
      if (service === 'caches') {
        // The secure profile's nginx needs its TLS material, which only `stack up --secure` prepares.
        if (profile !== undefined) throw new Error('stack restart caches: only the plain stack');
        note(`stopped ${(await stopCaches(paths, state.topology)).join(', ') || 'nothing'}`);
        await startCaches(paths, state.topology, note);
        say('caches restarted and ready');
        return;
      }
      if (!isServiceName(service)) {
        note(`unknown service "${service}"; choose one of ${SERVICE_NAMES.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const instance = serviceInstance(service, 1, profile?.ports);
      await stopInstance(paths, instance);
      await startInstance(paths, instance, serviceEnv(state, paths, service), note);
      await waitInstanceReady(instance);
      say(`${service} restarted and ready`);
    });

  stack
    .command('status')
    .description('show which parts of the local stack are running; exit code 3 when none is')
    .option('--secure', 'show the secure profile', false)
    .action((options: { secure: boolean }) => {
      const paths = profileOf(options)?.paths ?? stackPaths();
      const topology = readStackState(paths)?.topology ?? defaultTopology();
      const running = runningProcesses(paths, topology);
      const extra = allInstances(MAX_INSTANCES)
        .filter((i) => i.index > 1 && runningPid(paths, i.name) !== undefined)
        .map((i) => i.name);
      const all = [
        'kafka',
        // The plain stack normally uses a Redis it did not start; the secure profile always runs its own.
        ...(options.secure ? ['redis'] : []),
        'bind',
        'origin',
        ...topology.flatMap((c) => c.servers.map((s) => s.id)),
        ...SERVICE_NAMES,
        ...extra,
      ];
      for (const name of all) {
        const pid = runningPid(paths, name);
        say(`${name.padEnd(12)} ${pid === undefined ? 'stopped' : `running (pid ${pid})`}`);
      }
      if (running.length === 0) process.exitCode = 3;
    });
}
