/**
 * TinyLFU's frequency estimate with its aging: every request counts one, and every `sampleSize`
 * requests all counts are halved, so what was popular long ago fades. Exact per object (the
 * simulator knows its objects; a live cache would use a count-min sketch of the same counts), and
 * the halving is applied lazily per object: O(1) per request.
 */
export class DecayedFrequency {
  private readonly counts: Float64Array;
  private readonly epochs: Int32Array;
  private epoch = 0;
  private sinceReset = 0;

  constructor(
    objects: number,
    private readonly sampleSize: number,
  ) {
    this.counts = new Float64Array(objects);
    this.epochs = new Int32Array(objects);
  }

  increment(object: number): void {
    this.counts[object] = this.estimate(object) + 1;
    this.epochs[object] = this.epoch;
    if (++this.sinceReset >= this.sampleSize) {
      this.sinceReset = 0;
      this.epoch++;
    }
  }

  estimate(object: number): number {
    const halvings = this.epoch - (this.epochs[object] ?? 0);
    const count = this.counts[object] ?? 0;
    // Integer halving, as TinyLFU's counters do (a count of 1 fades to 0 after one reset).
    return halvings === 0 ? count : Math.floor(count / 2 ** Math.min(halvings, 52));
  }
}
