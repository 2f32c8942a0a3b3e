import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { seededRandom } from './random.js';

export interface FlashCrowdOptions {
  readonly seed: number;
  readonly days: number;
  /** Mean requests per second over a day. */
  readonly meanRate: number;
  readonly initialObjects: number;
  /** New objects per hour, entering at a uniformly drawn popularity rank. */
  readonly newPerHour: number;
  readonly zipf: number;
  readonly clusters: number;
  /** Objects the crowd asks for; they appear when it starts. */
  readonly crowdObjects: number;
  /** Share of all requests the crowd takes at its peak, then fading linearly. */
  readonly crowdShare: number;
  readonly crowdStartHour: number;
  readonly crowdHours: number;
}

export const FLASH_CROWD_DEFAULTS: FlashCrowdOptions = {
  seed: 1,
  days: 2,
  meanRate: 1,
  initialObjects: 2000,
  newPerHour: 20,
  zipf: 0.9,
  clusters: 2,
  crowdObjects: 3,
  crowdShare: 0.4,
  crowdStartHour: 30,
  crowdHours: 2,
};

const START_S = 1_700_000_000;

/**
 * A synthetic trace with what real CDN traffic has and the NASA day lacks: Zipf popularity over a
 * catalog that grows (new objects enter at a uniformly random popularity rank), a daily cycle (busiest at
 * midday, a third of the mean at night), and a flash crowd: a few new objects suddenly take a large
 * share of requests, fading over a couple of hours. Written as the simulator's CSV (gzip).
 */
export async function writeFlashCrowdTrace(path: string, options: FlashCrowdOptions): Promise<number> {
  const random = seededRandom(options.seed);
  const ranks: number[] = Array.from({ length: options.initialObjects }, (_, i) => i);
  const sizes: number[] = [];
  const sizeOf = (object: number): number => {
    while (sizes.length <= object) sizes.push(Math.round(Math.exp(9 + 1.5 * gaussian(random))));
    return sizes[object] ?? 1;
  };
  let nextObject = options.initialObjects;
  const cdf = zipfCdf(options.initialObjects + options.newPerHour * 24 * options.days + 1, options.zipf);
  const drawRank = (limit: number): number => {
    const total = cdf[limit - 1] ?? 1;
    const u = random() * total;
    let lo = 0;
    let hi = limit - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const crowd = Array.from({ length: options.crowdObjects }, (_, i) => `/crowd/${i}.mp4`);
  const crowdStart = options.crowdStartHour * 3600;
  const crowdEnd = crowdStart + options.crowdHours * 3600;
  const end = options.days * 86_400;
  const peak = options.meanRate * 1.7;
  const gzip = createGzip();
  const out = createWriteStream(path);
  gzip.pipe(out);
  const write = async (line: string): Promise<void> => {
    if (!gzip.write(line)) await once(gzip, 'drain');
  };
  await write('ts,resource,bytes,cluster\n');
  let t = 0;
  let hour = 0;
  let written = 0;
  for (;;) {
    t += -Math.log(1 - random()) / peak;
    if (t >= end) break;
    while (t >= (hour + 1) * 3600) {
      hour++;
      for (let i = 0; i < options.newPerHour; i++) {
        ranks.splice(Math.floor(random() * ranks.length), 0, nextObject++);
      }
    }
    const daily = 1 - (2 / 3) * Math.cos((2 * Math.PI * (t % 86_400)) / 86_400);
    if (random() * peak > options.meanRate * daily) continue; // thinning: a Poisson process with a daily cycle
    const cluster = `c${1 + Math.floor(random() * options.clusters)}`;
    let resource: string;
    let bytes: number;
    const inCrowd = t >= crowdStart && t < crowdEnd;
    const share = inCrowd ? options.crowdShare * (1 - (t - crowdStart) / (crowdEnd - crowdStart)) : 0;
    if (random() < share) {
      resource = crowd[Math.floor(random() * crowd.length)] ?? '/crowd/0.mp4';
      bytes = 50_000_000;
    } else {
      const object = ranks[drawRank(ranks.length)] ?? 0;
      resource = `/objects/${object}`;
      bytes = sizeOf(object);
    }
    await write(`${(START_S + t).toFixed(3)},${resource},${bytes},${cluster}\n`);
    written++;
  }
  gzip.end();
  await once(out, 'finish');
  return written;
}

function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  return cdf;
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
