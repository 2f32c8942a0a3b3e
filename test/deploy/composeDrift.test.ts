import { describe, expect, it } from 'vitest';
import { composeDrift, formattedComposeFiles } from '../../packages/cli/src/deploy/renderCompose.js';
import { repoRoot } from '@pdme/common/repo-root';

describe('deploy/compose', () => {
  it('holds exactly what `pdme deploy render-compose` renders from deploy/local templates', async () => {
    const root = repoRoot();
    const rendered = await formattedComposeFiles(root);
    expect([...rendered.keys()]).toEqual(
      expect.arrayContaining([
        'deploy/compose/bind/named.conf',
        'deploy/compose/pdme.config.json',
        'deploy/compose/nginx/origin.conf',
      ]),
    );
    expect(composeDrift(root, rendered), 'run `pnpm pdme deploy render-compose`').toEqual([]);
  });

  it('notices a file that differs from the templates', async () => {
    const root = repoRoot();
    const rendered = await formattedComposeFiles(root);
    const changed = new Map(rendered);
    changed.set(
      'deploy/compose/bind/named.conf',
      `${rendered.get('deploy/compose/bind/named.conf') ?? ''}// edit\n`,
    );
    expect(composeDrift(root, changed)).toEqual(['deploy/compose/bind/named.conf']);
  });
});
