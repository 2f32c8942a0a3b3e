/* global document, sessionStorage, fetch, setTimeout, clearTimeout, uPlot */
// The status page: asks once for a read key (kept in sessionStorage), then polls /pdme/stats every
// 2 s and draws forecast against actual demand (uPlot) and the mirror map. Text goes in through
// textContent only, so nothing from the API is ever parsed as HTML.
import { ForecastHistory, mirrorMap } from './statusModel.js';

/** @typedef {import('./statusModel.js').Snapshot} Snapshot */

const KEY_STORAGE = 'pdme.readKey';
const POLL_MS = 2_000;
const COLORS = ['#0969da', '#d1242f', '#1a7f37'];

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`status page: #${id} is missing`);
  return element;
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} [className] @param {string} [text]
 */
function el(tag, className, text) {
  const element = document.createElement(tag);
  if (className !== undefined) element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}

/** @param {number} bytes */
function formatBytes(bytes) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 && unit > 0 ? 1 : 0)} ${units[unit] ?? 'B'}`;
}

/** @param {string} text @param {boolean} [error] */
function setStatus(text, error = false) {
  const status = byId('status');
  status.textContent = text;
  status.classList.toggle('error', error);
}

const history = new ForecastHistory();
/** @type {uPlot | undefined} */
let chart;
let chartNames = '';
/** @type {ReturnType<typeof setTimeout> | undefined} */
let timer;

function renderChart() {
  const container = byId('chart');
  const { names, data } = history.chartData();
  container.dataset['points'] = String(
    data
      .slice(1)
      .flat()
      .filter((v) => v !== null).length,
  );
  if (names.length === 0) {
    chart?.destroy();
    chart = undefined;
    chartNames = '';
    container.textContent = 'No forecasts yet for mirrored resources.';
    return;
  }
  const aligned = /** @type {uPlot.AlignedData} */ (/** @type {unknown} */ (data));
  if (chart !== undefined && chartNames === names.join('\n')) {
    chart.setData(aligned);
    return;
  }
  chart?.destroy();
  container.textContent = '';
  chartNames = names.join('\n');
  /** @type {uPlot.Series[]} */
  const series = [{}];
  names.forEach((name, i) => {
    const stroke = COLORS[i % COLORS.length] ?? '#000';
    series.push({ label: `${name} observed`, stroke, width: 2, spanGaps: true });
    series.push({ label: `${name} forecast`, stroke, width: 2, dash: [6, 4], spanGaps: true });
  });
  chart = new uPlot(
    {
      width: Math.max(320, container.clientWidth),
      height: 280,
      scales: { x: { time: true } },
      axes: [{}, { label: 'queries / window' }],
      series,
    },
    aligned,
    container,
  );
}

/** @param {Snapshot} snapshot */
function renderMirrorMap(snapshot) {
  const root = byId('mirror-map');
  const clusters = mirrorMap(snapshot);
  root.replaceChildren();
  if (clusters.length === 0) root.textContent = 'No clusters reported.';
  for (const { cluster, servers } of clusters) {
    const section = el('section', 'cluster');
    section.dataset['cluster'] = cluster;
    section.append(el('h3', undefined, `cluster ${cluster}`));
    const serverList = el('ul');
    for (const { serverId, usage, resources } of servers) {
      const item = el('li', 'server');
      item.dataset['server'] = serverId;
      item.append(el('strong', undefined, serverId));
      if (usage !== undefined) {
        item.append(
          el(
            'span',
            'usage',
            ` ${formatBytes(usage.usedBytes)} of ${formatBytes(usage.capacityBytes)} reserved, ${usage.mirrors} mirror(s)`,
          ),
        );
      }
      if (resources.length > 0) {
        const resourceList = el('ul');
        for (const mirror of resources) {
          const row = el('li', 'resource');
          row.dataset['resource'] = mirror.resource;
          row.append(el('span', undefined, `${mirror.resource} `), el('span', 'state', mirror.state));
          resourceList.append(row);
        }
        item.append(resourceList);
      }
      serverList.append(item);
    }
    section.append(serverList);
    root.append(section);
  }
}

/** @param {Snapshot} snapshot */
function renderCounters(snapshot) {
  const root = byId('counters');
  root.replaceChildren();
  /** @type {[string, number][]} */
  const rows = [
    ['mirrors created', snapshot.mirrorsCreated],
    ['mirrors removed', snapshot.mirrorsRemoved],
    ['mirrors failed', snapshot.mirrorsFailed],
    ['late mirrors', snapshot.lateMirrors],
  ];
  for (const [name, value] of rows)
    root.append(el('dt', undefined, name), el('dd', undefined, String(value)));
}

/** @param {string} [message] */
function showLogin(message) {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  byId('dashboard').hidden = true;
  byId('login').hidden = false;
  setStatus(message ?? 'Enter an API key with the pdme:read scope.', message !== undefined);
  byId('api-key').focus();
}

async function poll() {
  timer = undefined;
  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key === null) {
    showLogin();
    return;
  }
  try {
    const response = await fetch('/pdme/stats', {
      headers: { authorization: `Bearer ${key}` },
      cache: 'no-store',
    });
    if (response.status === 401 || response.status === 403) {
      sessionStorage.removeItem(KEY_STORAGE);
      showLogin(`The gateway refused the key (HTTP ${response.status}); enter a pdme:read key.`);
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = /** @type {unknown} */ (await response.json());
    const snapshot = /** @type {Snapshot} */ (body);
    byId('login').hidden = true;
    byId('dashboard').hidden = false;
    history.add(snapshot.forecasts);
    renderChart();
    renderMirrorMap(snapshot);
    renderCounters(snapshot);
    setStatus(`Updated ${new Date(snapshot.generatedMs).toLocaleTimeString()} (every ${POLL_MS / 1000} s)`);
  } catch (error) {
    setStatus(`Stats unavailable: ${error instanceof Error ? error.message : String(error)}`, true);
  }
  timer = setTimeout(() => void poll(), POLL_MS);
}

byId('login').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = /** @type {HTMLInputElement} */ (byId('api-key'));
  const key = input.value.trim();
  if (key === '') return;
  sessionStorage.setItem(KEY_STORAGE, key);
  input.value = '';
  setStatus('Loading…');
  void poll();
});

byId('logout').addEventListener('click', () => {
  sessionStorage.removeItem(KEY_STORAGE);
  showLogin();
});

void poll();
