import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Express } from 'express';

/** A file served as is: path on disk and its media type. */
interface Asset {
  readonly file: string;
  readonly type: string;
}

const publicFile = (name: string) => fileURLToPath(new URL(`../public/${name}`, import.meta.url));
const require = createRequire(import.meta.url);

/** Route → file. The chart library comes from node_modules (no CDN), like everything else, from 'self'. */
export const STATUS_PAGE_ASSETS: Readonly<Record<string, Asset>> = {
  '/': { file: publicFile('index.html'), type: 'text/html; charset=utf-8' },
  '/status.js': { file: publicFile('status.js'), type: 'text/javascript; charset=utf-8' },
  '/statusModel.js': { file: publicFile('statusModel.js'), type: 'text/javascript; charset=utf-8' },
  '/favicon.svg': { file: publicFile('favicon.svg'), type: 'image/svg+xml' },
  '/status.css': { file: publicFile('status.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uPlot.iife.min.js': {
    file: require.resolve('uplot/dist/uPlot.iife.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/vendor/uPlot.min.css': {
    file: require.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

/**
 * The status page at `/` and its scripts. They need no key: the page itself asks the operator for a
 * read key and sends it only to /pdme/stats. Files are read once at start-up (a missing one fails the
 * start, not a request).
 */
export function addStatusPage(app: Express): void {
  for (const [route, { file, type }] of Object.entries(STATUS_PAGE_ASSETS)) {
    const body = readFileSync(file);
    app.get(route, (_req, res) => {
      res.type(type).set('Cache-Control', 'no-cache').send(body);
    });
  }
}

/** helmet's Content-Security-Policy for the whole API: only this origin, no inline code, no framing. */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};
