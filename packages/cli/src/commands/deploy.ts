import type { Command } from 'commander';
import { composeDrift, formattedComposeFiles, writeComposeFiles } from '../deploy/renderCompose.js';
import { repoRoot } from '@pdme/common/repo-root';
import { note, say } from './output.js';

export function registerDeployCommand(program: Command): void {
  const deploy = program
    .command('deploy')
    .description('deployment files: docker compose and Kubernetes (see deploy/README.md)');

  deploy
    .command('render-compose')
    .description(
      'render deploy/compose/ (BIND, nginx and PDME configs for docker-compose.yml) from the local stack templates',
    )
    .option('--check', 'change nothing; exit 1 when the files differ from what would be rendered', false)
    .action(async (options: { check: boolean }) => {
      const root = repoRoot();
      if (options.check) {
        const drift = composeDrift(root, await formattedComposeFiles(root));
        for (const path of drift) note(`out of date: ${path}`);
        if (drift.length > 0) {
          note('run `pnpm pdme deploy render-compose` and commit the result');
          process.exitCode = 1;
        } else say('deploy/compose is up to date with deploy/local templates');
        return;
      }
      const changed = await writeComposeFiles(root);
      say(changed.length === 0 ? 'deploy/compose: nothing changed' : `wrote ${changed.join(', ')}`);
    });
}
