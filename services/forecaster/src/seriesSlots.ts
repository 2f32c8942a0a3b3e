/**
 * Fixed-width state rows for many series in one growing Float64Array, found by key. One object per
 * series would cost more in headers and pointers than the dozen numbers it holds.
 */
export class SeriesSlots {
  private readonly index = new Map<string, number>();
  private readonly free: number[] = [];
  private rows = 0;
  state: Float64Array;

  constructor(
    readonly stride: number,
    initialCapacity = 1024,
  ) {
    this.state = new Float64Array(stride * initialCapacity);
  }

  /** The row offset of `key` when it has one. */
  find(key: string): number | undefined {
    return this.index.get(key);
  }

  /** The row offset of `key`, and whether it was just created. */
  locate(key: string): { at: number; created: boolean } {
    const found = this.index.get(key);
    if (found !== undefined) return { at: found, created: false };
    let at = this.free.pop();
    if (at === undefined) {
      at = this.rows * this.stride;
      this.rows++;
      if (at + this.stride > this.state.length) {
        const grown = new Float64Array(Math.max(this.state.length * 2, at + this.stride));
        grown.set(this.state);
        this.state = grown;
      }
    }
    this.index.set(key, at);
    return { at, created: true };
  }

  delete(key: string): void {
    const at = this.index.get(key);
    if (at === undefined) return;
    this.index.delete(key);
    this.free.push(at);
  }

  /** Every key held, in insertion order. */
  keys(): IterableIterator<string> {
    return this.index.keys();
  }

  /** Every key with its row offset, in insertion order. */
  entries(): IterableIterator<[string, number]> {
    return this.index.entries();
  }

  get size(): number {
    return this.index.size;
  }
}
