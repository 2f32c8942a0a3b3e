import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@pdme/common/repo-root';

const root = repoRoot();
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  packageManager: string;
  devDependencies: Record<string, string>;
};

describe.each(['ingest', 'forecaster', 'decision', 'dns-updater', 'gateway'])(
  'services/%s/Dockerfile',
  (service) => {
    const text = readFileSync(join(root, 'services', service, 'Dockerfile'), 'utf8');
    const lines = text.split('\n');
    const config = readFileSync(join(root, 'services', service, 'src', 'config.ts'), 'utf8');
    const defaultOps = /OPS_PORT:[^\n]*\.default\((\d+)\)/.exec(config)?.[1];

    it('is multi-stage: pnpm deploy of only this service’s production dependencies, then a slim image', () => {
      expect(lines.filter((l) => l.startsWith('FROM ')).length).toBe(2);
      expect(text).toContain(`pnpm --filter @pdme/${service} deploy --prod /out/app`);
      expect(text).toContain('--frozen-lockfile');
      expect(text).toMatch(/ARG NODE_IMAGE=node:20-[a-z]+-slim/);
      expect(text).toContain(`npm install --global --no-fund --no-audit ${rootPackage.packageManager}`);
      expect(text).toContain(`tsx@${rootPackage.devDependencies['tsx']}`);
    });

    it('runs as a non-root user and checks /healthz on the ops port the service defaults to', () => {
      const user = lines.filter((l) => l.startsWith('USER ')).pop();
      expect(user).toBe('USER node');
      expect(defaultOps).toBeDefined();
      expect(text).toMatch(new RegExp(`OPS_PORT=${defaultOps}\\b`));
      expect(text).toMatch(new RegExp(`^EXPOSE ${defaultOps}\\b`, 'm'));
      expect(text).toMatch(
        /HEALTHCHECK [^\n]*\\\n\s+CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:'\+process\.env\.OPS_PORT\+'\/healthz'\)/,
      );
      // Reachable from outside the container: the services default to 127.0.0.1.
      expect(text).toMatch(service === 'gateway' ? /GATEWAY_HOST=0\.0\.0\.0/ : /OPS_HOST=0\.0\.0\.0/);
      expect(lines.filter((l) => l.startsWith('CMD ')).pop()).toBe(
        'CMD ["node", "--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs", "src/main.ts"]',
      );
    });
  },
);
