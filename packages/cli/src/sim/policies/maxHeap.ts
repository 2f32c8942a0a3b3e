/** A binary max-heap of (priority, value) pairs. */
export class MaxHeap {
  private readonly priorities: number[] = [];
  private readonly values: number[] = [];

  get size(): number {
    return this.values.length;
  }

  push(priority: number, value: number): void {
    this.priorities.push(priority);
    this.values.push(value);
    let i = this.values.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.at(parent) >= this.at(i)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  peek(): { priority: number; value: number } | undefined {
    const priority = this.priorities[0];
    const value = this.values[0];
    return priority === undefined || value === undefined ? undefined : { priority, value };
  }

  pop(): { priority: number; value: number } | undefined {
    const top = this.peek();
    if (top === undefined) return undefined;
    const lastPriority = this.priorities.pop() ?? 0;
    const lastValue = this.values.pop() ?? 0;
    if (this.values.length > 0) {
      this.priorities[0] = lastPriority;
      this.values[0] = lastValue;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let largest = i;
        if (left < this.values.length && this.at(left) > this.at(largest)) largest = left;
        if (right < this.values.length && this.at(right) > this.at(largest)) largest = right;
        if (largest === i) break;
        this.swap(i, largest);
        i = largest;
      }
    }
    return top;
  }

  private at(i: number): number {
    return this.priorities[i] ?? -Infinity;
  }

  private swap(a: number, b: number): void {
    const p = this.at(a);
    this.priorities[a] = this.at(b);
    this.priorities[b] = p;
    const v = this.values[a] ?? 0;
    this.values[a] = this.values[b] ?? 0;
    this.values[b] = v;
  }
}
