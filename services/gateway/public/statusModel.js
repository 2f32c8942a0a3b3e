// Pure data shaping for the status page (no DOM): the mirror map and the forecast history.

/**
 * @typedef {{ resource: string, cluster: string, serverId: string, serverHost: string, state: string,
 *   sinceMs: number, predictedDemand: number }} Mirror
 * @typedef {{ cluster: string, serverId: string, capacityBytes: number, usedBytes: number, mirrors: number }}
 *   ServerUsage
 * @typedef {{ tsMs: number, mean: number, p50: number, p90: number }} ForecastStep
 * @typedef {{ resource: string, cluster: string, issuedMs: number, windowMs: number, model: string,
 *   observed: number, flashCrowd: boolean, steps: ForecastStep[] }} Forecast
 * @typedef {{ mirrors: Mirror[], servers: ServerUsage[], forecasts: Forecast[], generatedMs: number,
 *   mirrorsCreated: number, mirrorsRemoved: number, mirrorsFailed: number, lateMirrors: number }} Snapshot
 * @typedef {{ serverId: string, usage: ServerUsage | undefined, resources: Mirror[] }} ServerEntry
 * @typedef {{ cluster: string, servers: ServerEntry[] }} ClusterEntry
 */

/** @param {string} a @param {string} b */
const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Cluster → server → mirrored resources, sorted by name. Servers without mirrors are listed too
 * (they show free capacity); a mirror on a server the usage list lacks still appears.
 * @param {Snapshot} snapshot
 * @returns {ClusterEntry[]}
 */
export function mirrorMap(snapshot) {
  /** @type {Map<string, Map<string, ServerEntry>>} */
  const clusters = new Map();
  /** @param {string} cluster @param {string} serverId */
  const entry = (cluster, serverId) => {
    let servers = clusters.get(cluster);
    if (servers === undefined)
      clusters.set(cluster, (servers = /** @type {Map<string, ServerEntry>} */ (new Map())));
    let server = servers.get(serverId);
    if (server === undefined) servers.set(serverId, (server = { serverId, usage: undefined, resources: [] }));
    return server;
  };
  for (const usage of snapshot.servers) entry(usage.cluster, usage.serverId).usage = usage;
  for (const mirror of snapshot.mirrors) entry(mirror.cluster, mirror.serverId).resources.push(mirror);
  return [...clusters.entries()]
    .sort(([a], [b]) => byText(a, b))
    .map(([cluster, servers]) => ({
      cluster,
      servers: [...servers.values()]
        .sort((a, b) => byText(a.serverId, b.serverId))
        .map((s) => ({ ...s, resources: s.resources.sort((a, b) => byText(a.resource, b.resource)) })),
    }));
}

/**
 * Observed and forecast demand per series, keyed by window start, kept as the page polls.
 * A cached forecast carries the count of the window that just closed (`observed`) and, as steps[0],
 * the forecast for the next window; so the forecast for window W comes from the forecast issued one
 * window earlier, and both lines line up on W.
 */
export class ForecastHistory {
  /** @param {number} maxWindows windows kept per series @param {number} maxSeries series charted */
  constructor(maxWindows = 90, maxSeries = 3) {
    this.maxWindows = maxWindows;
    this.maxSeries = maxSeries;
    /** @type {Map<string, { observed: Map<number, number>, forecast: Map<number, number>, latest: number }>} */
    this.series = new Map();
  }

  /** @param {readonly Forecast[]} forecasts */
  add(forecasts) {
    for (const f of forecasts) {
      const next = f.steps[0];
      if (next === undefined) continue;
      const key = `${f.resource} (${f.cluster})`;
      let series = this.series.get(key);
      if (series === undefined) {
        series = { observed: /** @type {Map<number, number>} */ (new Map()), forecast: new Map(), latest: 0 };
        this.series.set(key, series);
      }
      series.observed.set(next.tsMs - f.windowMs, f.observed);
      series.forecast.set(next.tsMs, next.mean);
      series.latest = f.observed;
      for (const map of [series.observed, series.forecast]) {
        const times = [...map.keys()].sort((a, b) => a - b);
        for (const old of times.slice(0, Math.max(0, times.length - this.maxWindows))) map.delete(old);
      }
    }
  }

  /**
   * The busiest series (by latest observed count) as uPlot aligned data: x in seconds, then an
   * observed and a forecast column per series, null where a window has no value.
   * @returns {{ names: string[], data: (number | null)[][] }}
   */
  chartData() {
    const top = [...this.series.entries()]
      .sort(([a, x], [b, y]) => y.latest - x.latest || byText(a, b))
      .slice(0, this.maxSeries);
    const times = [...new Set(top.flatMap(([, s]) => [...s.observed.keys(), ...s.forecast.keys()]))].sort(
      (a, b) => a - b,
    );
    /** @type {(number | null)[][]} */
    const data = [times.map((t) => t / 1000)];
    for (const [, s] of top) {
      data.push(times.map((t) => s.observed.get(t) ?? null));
      data.push(times.map((t) => s.forecast.get(t) ?? null));
    }
    return { names: top.map(([name]) => name), data };
  }
}
