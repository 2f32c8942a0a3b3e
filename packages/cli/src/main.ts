import { Command, CommanderError } from 'commander';
import { registerDemoCommand } from './commands/demo.js';
import { registerDeployCommand } from './commands/deploy.js';
import { registerForecastCommand } from './commands/forecast.js';
import { registerIngestCommand } from './commands/ingest.js';
import { registerKeysCommand } from './commands/keys.js';
import { registerSimCommand } from './commands/sim.js';
import { registerRunCommand } from './commands/run.js';
import { registerStackCommands } from './commands/stack.js';

const program = new Command('pdme')
  .description('Predictive DNS Mirroring Engine: forecast demand, mirror ahead of it, rewrite DNS')
  .showHelpAfterError()
  .exitOverride();

registerStackCommands(program);
registerRunCommand(program);
registerDemoCommand(program);
registerDeployCommand(program);
registerForecastCommand(program);
registerIngestCommand(program);
registerSimCommand(program);
registerKeysCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  process.stderr.write(`pdme: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
