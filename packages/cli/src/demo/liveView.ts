/** What the live view shows, read afresh at every refresh. */
export interface LiveSnapshot {
  readonly title: string;
  readonly done: number;
  readonly planned: number;
  readonly elapsedMs: number;
  readonly durationMs: number;
  /** Requests completed over the last few seconds, per second. */
  readonly requestsPerSecond: number;
  readonly hits: number;
  readonly errors: number;
  readonly mirrorsCreated: number;
  readonly mirrorsRemoved: number;
  readonly dnsChanges: number;
  readonly lateMirrors: number;
  /** The busiest names: their last full window's requests against the forecast for it. */
  readonly top: readonly { name: string; cluster: string; actual: number; forecast: number | undefined }[];
  /** Latest DNS changes, newest last. */
  readonly changes: readonly string[];
}

const BAR = 30;

function lines(s: LiveSnapshot): string[] {
  const share = s.planned === 0 ? 1 : s.done / s.planned;
  const filled = Math.round(share * BAR);
  const hitRatio = s.done === 0 ? 0 : s.hits / s.done;
  return [
    `${s.title}  [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}] ${s.done}/${s.planned}  ${(s.elapsedMs / 1000).toFixed(0)}/${(s.durationMs / 1000).toFixed(0)} s`,
    `  ${s.requestsPerSecond.toFixed(1)} req/s   hit ratio ${(100 * hitRatio).toFixed(1)} %   errors ${s.errors}`,
    `  mirrors +${s.mirrorsCreated} -${s.mirrorsRemoved}   DNS changes ${s.dnsChanges}   late mirrors ${s.lateMirrors}`,
    '  top names (last window: actual / forecast):',
    ...s.top.map(
      (t) =>
        `    ${t.name.padEnd(34)} ${t.cluster.padEnd(4)} ${String(t.actual).padStart(4)} / ${t.forecast === undefined ? '   -' : t.forecast.toFixed(1).padStart(5)}`,
    ),
    ...s.changes.map((c) => `  ${c}`),
  ];
}

/**
 * The demo's live view: on a terminal, a block redrawn in place twice a second; otherwise (a pipe,
 * CI) one plain line every five seconds, so logs stay readable.
 */
export class LiveView {
  private timer: NodeJS.Timeout | undefined;
  private drawn = 0;
  private lastPlain = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  start(snapshot: () => LiveSnapshot): void {
    this.stop();
    this.lastPlain = 0;
    this.drawn = 0;
    this.timer = setInterval(() => this.draw(snapshot()), this.tty ? 500 : 1_000);
  }

  /** Draws a last time and stops refreshing. */
  finish(last: LiveSnapshot): void {
    this.stop();
    this.draw(last, true);
    this.drawn = 0;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private draw(s: LiveSnapshot, final = false): void {
    if (!this.tty) {
      if (!final && s.elapsedMs - this.lastPlain < 5_000) return;
      this.lastPlain = s.elapsedMs;
      const top = s.top[0];
      this.write(
        `${s.title}: ${s.done}/${s.planned} requests, ${s.requestsPerSecond.toFixed(1)} req/s, hit ratio ${(100 * (s.done === 0 ? 0 : s.hits / s.done)).toFixed(1)} %, mirrors +${s.mirrorsCreated} -${s.mirrorsRemoved}, DNS changes ${s.dnsChanges}, late ${s.lateMirrors}` +
          (top === undefined
            ? ''
            : `; top ${top.name} ${top.cluster} ${top.actual}/${top.forecast?.toFixed(1) ?? '-'}`),
      );
      return;
    }
    const block = lines(s);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    this.write(`${up}${block.map((l) => `\x1b[2K${l}`).join('\n')}\x1b[0J`);
    this.drawn = block.length;
  }
}
