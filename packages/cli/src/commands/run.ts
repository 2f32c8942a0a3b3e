import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { stackPaths } from '../stack/paths.js';
import { isServiceName, OPS_PORTS, SERVICE_NAMES, serviceCommand } from '../stack/services.js';
import { readStackState, serviceEnv } from '../stack/stack.js';
import { note } from './output.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description(`run one PDME service in the foreground (${SERVICE_NAMES.join(', ')})`)
    .argument('<service>', 'the service to run')
    .option(
      '--ops-port <port>',
      'port for /metrics, /healthz, /readyz (default: the stack port of the service)',
    )
    .addHelpText(
      'after',
      '\nThe service reads its settings from the environment; when the local stack is up, its addresses\n' +
        'are filled in for whatever the environment does not set (see README, "Configuration").',
    )
    .action(async (service: string, options: { opsPort?: string }) => {
      if (!isServiceName(service)) {
        note(`pdme run: unknown service "${service}"; choose one of ${SERVICE_NAMES.join(', ')}`);
        process.exitCode = 2;
        return;
      }
      const paths = stackPaths();
      const state = readStackState(paths);
      const env = {
        ...(state === undefined ? {} : serviceEnv(state, paths)),
        OPS_PORT: options.opsPort ?? String(OPS_PORTS[service]),
        ...process.env,
      };
      const { command, args } = serviceCommand(service);
      const child = spawn(command, args, { stdio: 'inherit', env });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
      process.exitCode = code;
    });
}
