// The operator's views: the live overview, accounts (keys, wallet, usage, invoices), every
// invoice, and the audit log.
import { api, all, metrics, path } from '/console/api.js';
import { el, fill, table, card, stat, when } from '/console/dom.js';
import { lineChart, analyticsChart } from '/console/chart.js';

const LIVE_EVERY_MS = 2000;
const LIVE_POINTS = 90;

/** Counters of /metrics charted as rates, gauges as they stand. */
const RATES = [['published/s', 'tollgate_published_events_total'], ['delivered/s', 'tollgate_delivered_events_total'],
  ['publish errors/s', 'tollgate_publish_errors_total']];

async function overview(view) {
  const cards = el('div', { className: 'cards', id: 'overview-stats' });
  const live = el('div', { className: 'chart', id: 'live-rates' });
  const topics = el('div', { className: 'chart', id: 'analytics-topics' });
  const lag = el('div', { className: 'chart', id: 'analytics-lag' });
  const errors = el('div', { className: 'chart', id: 'analytics-errors' });
  const members = el('div', { id: 'cluster-members' });
  fill(view, el('h2', {}, 'Overview'), cards,
    card('Cluster members, as this node sees them', members),
    card('Live: this node, every 2 s (from /metrics)', live),
    card('Published and delivered events per hour, last 24 h', topics),
    card('Consumer lag (events), last 24 h', lag),
    card('Errors per hour: authentication failures, quota-blocked, publish errors', errors));

  const times = [];
  const series = RATES.map(() => []);
  let previous = null;
  let chart = null;
  const sample = async () => {
    const [values, ready, accounts, cluster] = await Promise.all([metrics(), fetch('/readyz').then(r => r.ok),
      all('/v1/accounts').then(list => list.length), api('/v1/cluster/members')]);
    const up = cluster.data.filter(member => member.status === 'up' && member.reachable).length;
    const now = Date.now() / 1000;
    fill(cards,
      stat('events published', values.tollgate_published_events_total ?? 0, 'stat-published'),
      stat('events delivered', values.tollgate_delivered_events_total ?? 0, 'stat-delivered'),
      stat('publish errors', values.tollgate_publish_errors_total ?? 0, 'stat-errors'),
      stat('open streams', values.tollgate_open_streams ?? 0, 'stat-streams'),
      stat('open TCP connections', values.tollgate_open_tcp_connections ?? 0, 'stat-tcp'),
      stat(`nodes up of ${cluster.data.length}; the one answering is ${ready ? 'ready' : 'not ready'}`, up, 'stat-nodes'),
      stat('accounts', accounts, 'stat-accounts'));
    if (previous) {
      const seconds = now - previous.at;
      times.push(now);
      RATES.forEach(([, name], i) => series[i].push(Math.max(0, ((values[name] ?? 0) - (previous.values[name] ?? 0)) / seconds)));
      if (times.length > LIVE_POINTS) { times.shift(); series.forEach(s => s.shift()); }
      live.dataset.points = times.length;
      if (chart) chart.setData([times, ...series]);
      else if (times.length >= 2) { fill(live); chart = lineChart(live, RATES.map(([label]) => label), [times, ...series]); }
    }
    fill(members, memberTable(cluster));
    previous = { at: now, values };
  };
  await sample();
  const timer = setInterval(() => sample().catch(() => {}), LIVE_EVERY_MS);
  analyticsChart(topics, 'topics', [['published', 'published_events'], ['delivered', 'delivered_events']]);
  analyticsChart(lag, 'subscriptions', [['lag (events)', 'lag_events']], { resolution: 'minute', hours: 3 });
  analyticsChart(errors, 'accounts', [['auth failures', 'auth_failures'], ['quota blocked', 'quota_blocked_events']]);
  return () => clearInterval(timer);
}

/** The members of GET /v1/cluster/members: address, status, reachability, roles, and which leads and answers. */
function memberTable(cluster) {
  return table([['address', m => m.address], ['status', m => m.status], ['reachable', m => (m.reachable ? 'yes' : 'no')],
    ['roles', m => (m.roles || []).join(', ')], ['', m => [m.leader ? 'leader' : '', m.self ? 'answering' : '']
      .filter(Boolean).join(', ')]], cluster.data, { id: 'cluster-members-table', empty: 'No members.' });
}

async function accounts(view, caller, [accountId]) {
  if (accountId) return account(view, accountId);
  const list = await all('/v1/accounts');
  fill(view, el('h2', {}, 'Accounts'), table([
    ['id', a => el('a', { href: `#/accounts/${encodeURIComponent(a.id)}` }, a.id)],
    ['name', a => a.name], ['created', a => when(a.created_at)]], list, { id: 'accounts-table' }));
}

async function account(view, id) {
  const base = `/v1/accounts/${path(id)}`;
  const [detail, keys, wallet, usage, invoices] = await Promise.all([api(base), all(`${base}/keys`), api(`${base}/wallet`),
    api(`${base}/usage`), all(`${base}/invoices`)]);
  fill(view, el('h2', {}, `Account ${detail.name}`), el('p', { className: 'muted' }, detail.id),
    card('Keys', table([['id', k => k.id], ['scopes', k => (k.scopes || []).join(', ')],
      ['resources', k => (k.resources || []).join(', ')], ['expires', k => when(k.expires_at)], ['created', k => when(k.created_at)]],
    keys, { id: 'account-keys' })),
    card('Wallet', table([['currency', b => b.currency], ['balance', b => b.amount, 'num']], wallet.balances, { empty: 'No credits.' })),
    card('Usage (acknowledged events)', table([['period', u => u.period], ['subscription', u => u.subscription],
      ['events', u => u.events, 'num']], usage.data)),
    card('Invoices', invoiceTable(invoices, 'account-invoices')));
}

export function invoiceTable(invoices, id) {
  return table([['number', i => i.number], ['id', i => i.id], ['customer', i => i.account || (i.customer || {}).id],
    ['period', i => (i.period || {}).id], ['status', i => i.status], ['total', i => `${i.total} ${i.currency}`, 'num'],
    ['due', i => `${i.amount_due ?? ''} ${i.currency}`, 'num']], invoices, { id, empty: 'No invoices yet.' });
}

async function invoices(view) {
  const list = await all('/v1/accounts');
  const perAccount = await Promise.all(list.map(a => all(`/v1/accounts/${path(a.id)}/invoices`)));
  fill(view, el('h2', {}, 'Invoices'), invoiceTable(perAccount.flat(), 'invoices-table'));
}

/** What an audit entry says besides who did what to which. */
function details(entry) {
  const rest = Object.entries(entry).filter(([name]) => !['log', 'sequence', 'at', 'actor', 'action', 'target'].includes(name));
  return rest.map(([name, value]) => `${name}=${typeof value === 'object' ? JSON.stringify(value) : value}`).join(' ');
}

async function audit(view) {
  const page = await api('/v1/audit?limit=200');
  const entries = page.data;
  fill(view, el('h2', {}, 'Audit log'), table([['at', e => when(e.at)], ['log', e => e.log], ['actor', e => e.actor],
    ['action', e => e.action], ['target', e => e.target], ['details', details]],
  entries, { id: 'audit-table' }));
}

export const operatorViews = [['overview', 'Overview', overview], ['accounts', 'Accounts', accounts],
  ['invoices', 'Invoices', invoices], ['audit', 'Audit log', audit]];
