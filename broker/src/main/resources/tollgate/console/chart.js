// Charts with uPlot (from its WebJar), and the analytics API they read.
import uPlot from '/console/vendor/uPlot.esm.js';
import { api, ApiError } from '/console/api.js';
import { el, fill } from '/console/dom.js';

const COLOURS = ['#2456a6', '#e0a800', '#067647', '#b42318', '#7a5af8', '#0e9384'];

/** A line chart in `container`: data is [times in seconds, series...]. Returns the uPlot. */
export function lineChart(container, names, data, { height = 220, xLabels } = {}) {
  const width = Math.max(320, (container.clientWidth || 600) - 8);
  const series = [xLabels ? { value: (u, i) => xLabels[i] ?? '' } : {}]
    .concat(names.map((label, i) => ({ label, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } })));
  const options = { width, height, series, axes: [{}, { size: 60 }] };
  if (xLabels) {
    // categories (periods) rather than times: the x values are their indexes
    options.scales = { x: { time: false } };
    options.axes[0] = { splits: () => xLabels.map((l, i) => i), values: () => xLabels };
  }
  return new uPlot(options, data, container);
}

/**
 * GET /v1/analytics/{dimension} (topics, products, plans, accounts, subscriptions): null when
 * this node does not serve analytics (404) or keeps none (analytics_disabled), so that a chart
 * says so instead of failing.
 */
export async function analytics(dimension, { hours = 24, resolution = 'hour', key } = {}) {
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3600 * 1000);
  const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), resolution });
  if (key) query.set('key', key);
  try {
    return await api(`/v1/analytics/${encodeURIComponent(dimension)}?${query}`);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.code === 'analytics_disabled')) return null;
    throw error;
  }
}

/** A field of one point: a count, a latency percentile ("latency_ms.p99") or money ("revenue.USD"). */
function valueOf(point, field) {
  const [name, part] = field.split('.');
  const value = part === undefined ? point[name] : (point[name] || {})[part];
  return value === undefined || value === null ? 0 : Number(value);
}

/** Sums each field over every key of an analytics answer, per time bucket: [times, field...]. */
export function totalsOverTime(answer, fields) {
  const buckets = new Map();
  for (const entry of answer.data || []) {
    for (const point of entry.series || []) {
      const at = Date.parse(point.at) / 1000;
      const sums = buckets.get(at) || fields.map(() => 0);
      fields.forEach((field, i) => { sums[i] += valueOf(point, field); });
      buckets.set(at, sums);
    }
  }
  const times = [...buckets.keys()].sort((a, b) => a - b);
  return [times].concat(fields.map((field, i) => times.map(at => buckets.get(at)[i])));
}

/** The currencies money fields of an analytics answer hold. */
export function currenciesOf(answer, field) {
  const currencies = new Set();
  for (const entry of answer.data || []) {
    for (const point of entry.series || []) Object.keys(point[field] || {}).forEach(c => currencies.add(c));
  }
  return [...currencies].sort();
}

/**
 * A chart of analytics fields over the last `hours`, or "analytics unavailable" when the node
 * does not answer them. `fields` are names of a point ([label, field] pairs).
 */
export async function analyticsChart(container, dimension, fields, options = {}) {
  fill(container, el('p', { className: 'muted' }, 'Loading…'));
  let answer;
  try {
    answer = await analytics(dimension, options);
  } catch (error) {
    fill(container, el('p', { className: 'error' }, String(error.message)));
    return null;
  }
  if (answer === null) {
    fill(container, el('p', { className: 'unavailable' }, 'analytics unavailable'));
    return null;
  }
  const resolved = typeof fields === 'function' ? fields(answer) : fields;
  const data = totalsOverTime(answer, resolved.map(([, field]) => field));
  if (data[0].length === 0) {
    fill(container, el('p', { className: 'muted' }, 'No data in this range yet.'));
    return answer;
  }
  fill(container);
  lineChart(container, resolved.map(([label]) => label), data);
  return answer;
}
