interface Entry {
  hits: number;
  /** Forecasts in a row in which the resource out-ranked residents that blocked it. */
  contendedWindows: number;
}

/**
 * The latest predicted hits per resource, per cluster, kept in memory for the benefit policy to
 * rank residents against newcomers. Bounded: past `maxPerCluster` resources the one updated least
 * recently is forgotten (a resource nobody forecasts any more is worth nothing to keep).
 */
export class ForecastBook {
  private readonly clusters = new Map<string, Map<string, Entry>>();

  constructor(private readonly maxPerCluster: number) {}

  record(cluster: string, resource: string, hits: number): void {
    let book = this.clusters.get(cluster);
    if (book === undefined) {
      book = new Map();
      this.clusters.set(cluster, book);
    }
    const contendedWindows = book.get(resource)?.contendedWindows ?? 0;
    // Re-inserting moves the resource to the end: the Map's order is least recently updated first.
    book.delete(resource);
    book.set(resource, { hits, contendedWindows });
    while (book.size > this.maxPerCluster) {
      const oldest = book.keys().next();
      if (oldest.done === true) break;
      book.delete(oldest.value);
    }
  }

  hitsOf(cluster: string, resource: string): number | undefined {
    return this.clusters.get(cluster)?.get(resource)?.hits;
  }

  contendedWindows(cluster: string, resource: string): number {
    return this.clusters.get(cluster)?.get(resource)?.contendedWindows ?? 0;
  }

  setContendedWindows(cluster: string, resource: string, windows: number): void {
    const entry = this.clusters.get(cluster)?.get(resource);
    if (entry !== undefined) entry.contendedWindows = windows;
  }

  size(cluster: string): number {
    return this.clusters.get(cluster)?.size ?? 0;
  }
}
