// A consumer's self-service views: browse and search the catalog, read a product's AsyncAPI
// document, subscribe to a plan, watch a live preview of a subscription, manage keys, see usage
// against the quota, invoices and the wallet.
import { api, all, path } from '/console/api.js';
import { el, fill, table, card, when, json, meter } from '/console/dom.js';
import { priceOf } from '/console/producer.js';
import { invoiceTable } from '/console/operator.js';

const PREVIEW_EVERY_MS = 2000;

async function browse(view, caller, [productId]) {
  if (productId) return product(view, caller, productId);
  const results = el('div', { id: 'catalog-results' });
  const query = el('input', { type: 'search', id: 'catalog-query', placeholder: 'Search products, topics, descriptions' });
  const search = async () => {
    const q = query.value.trim();
    const page = await api(`/v1/catalog?kind=product&limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
    fill(results, table([['product', hit => el('a', { href: `#/browse/${encodeURIComponent(hit.id)}` }, hit.name)],
      ['id', hit => hit.id], ['owner', hit => hit.owner], ['description', hit => hit.description ?? '']],
    page.data, { empty: 'No product matches.' }));
  };
  fill(view, el('h2', {}, 'Catalog'),
    el('form', { className: 'inline', id: 'catalog-search', on: { submit: event => { event.preventDefault(); search(); } } },
      query, el('button', { type: 'submit' }, 'Search')), results);
  await search();
}

async function product(view, caller, id) {
  const [detail, plans, asyncApi] = await Promise.all([api(`/v1/products/${path(id)}`), all(`/v1/products/${path(id)}/plans`),
    api(`/v1/products/${path(id)}/asyncapi`)]);
  const outcome = el('div', { id: 'subscribe-outcome' });
  const subscribe = plan => async () => {
    try {
      const created = await api('/v1/subscriptions', { method: 'POST',
        body: { account: caller.account, product: id, plan: plan.id, delivery: { type: 'websocket' } } });
      fill(outcome, el('p', { className: 'ok' }, 'Subscribed: ', el('a', { href: `#/subscriptions/${encodeURIComponent(created.id)}` }, created.id)));
    } catch (error) {
      fill(outcome, el('p', { className: 'error' }, error.message));
    }
  };
  fill(view, el('h2', {}, detail.name), el('p', { className: 'muted' }, `${detail.id} · by ${detail.owner}`,
    detail.retired_at ? ` · retired ${detail.retired_at}: it takes no new subscriptions; yours run on` : ''),
    detail.description ? el('p', {}, detail.description) : null,
    card('Plans', table([['name', p => p.name], ['price', priceOf], ['recurring fee', p => (p.recurring_fee ? `${p.recurring_fee} ${p.currency}` : '')],
      ['quota', p => (p.quota ? `${p.quota.events_per_period} events / period` : 'none')],
      ['', p => (detail.retired_at || p.retired_at ? 'retired'
        : el('button', { type: 'button', className: 'subscribe', dataset: { plan: p.id }, on: { click: subscribe(p) } }, 'Subscribe'))]],
    plans, { id: 'product-plans', empty: 'No plans to subscribe to.' }), outcome),
    card('AsyncAPI document', asyncApiView(asyncApi)));
}

/** A product's AsyncAPI 3.0 document as a page: servers, channels with their messages and payloads. */
function asyncApiView(doc) {
  const messages = (doc.components || {}).messages || {};
  const servers = Object.entries(doc.servers || {});
  const channels = Object.entries(doc.channels || {});
  return el('div', { id: 'asyncapi' },
    el('p', {}, el('strong', {}, (doc.info || {}).title || ''), ` · AsyncAPI ${doc.asyncapi} · version ${(doc.info || {}).version || ''}`),
    (doc.info || {}).description ? el('p', {}, doc.info.description) : null,
    el('h3', {}, 'Servers'),
    table([['name', ([name]) => name], ['url', ([, s]) => `${s.protocol}://${s.host}${s.pathname || ''}`],
      ['description', ([, s]) => s.description || '']], servers),
    el('h3', {}, 'Channels'),
    ...channels.map(([name, channel]) => el('div', { className: 'channel' },
      el('h3', {}, channel.title || name), el('p', {}, el('code', {}, channel.address || '')),
      channel.description ? el('p', { className: 'muted' }, channel.description) : null,
      ...Object.values(channel.messages || {}).map(reference => {
        const messageName = String(reference.$ref || '').split('/').pop();
        const message = messages[messageName] || reference;
        return el('div', {}, el('p', {}, 'Message ', el('code', {}, messageName), message.summary ? ` — ${message.summary}` : ''),
          message.payload ? json(message.payload) : null);
      }))));
}

async function subscriptions(view, caller, [subscriptionId]) {
  if (subscriptionId) return subscription(view, caller, subscriptionId);
  const list = (await all('/v1/subscriptions')).filter(s => s.account === caller.account);
  fill(view, el('h2', {}, 'Subscriptions'), table([
    ['id', s => el('a', { href: `#/subscriptions/${encodeURIComponent(s.id)}` }, s.id)], ['product', s => s.product],
    ['plan', s => s.plan], ['status', s => s.status || 'active'], ['delivery', s => s.delivery.type], ['created', s => when(s.created_at)]],
  list, { id: 'subscriptions-table', empty: 'No subscriptions yet: subscribe from the catalog.' }));
}

async function subscription(view, caller, id) {
  const detail = await api(`/v1/subscriptions/${path(id)}`);
  const preview = el('div', { id: 'preview' });
  const status = el('p', { className: 'muted', id: 'preview-status' });
  fill(view, el('h2', {}, `Subscription ${detail.id}`),
    el('p', {}, `${detail.product} · plan ${detail.plan} · ${detail.status || 'active'} · ${detail.delivery.type}`),
    card('Where its consumer stands', table([['topic', c => c.topic], ['partition', c => c.partition, 'num'],
      ['acknowledged offset', c => c.offset, 'num']], detail.acked, { empty: 'Nothing acknowledged yet.' }),
    el('p', {}, `This period (${detail.usage.period}): ${detail.usage.events} acknowledged events.`)),
    card('Live preview (the newest events, without their data; not acknowledged, not billed)', status, preview));
  const refresh = async () => {
    const page = await api(`/v1/subscriptions/${path(id)}/preview?limit=20`);
    fill(status, `${page.data.length} newest events · refreshed ${when(new Date().toISOString())}`);
    fill(preview, table([['topic', e => e.topic], ['partition', e => e.partition, 'num'], ['offset', e => e.offset, 'num'], ['type', e => e.event.type],
      ['id', e => e.event.id], ['time', e => when(e.event.time)], ['data', e => e.data_bytes !== undefined ? `${e.data_bytes} bytes (the data is delivered to the stream, billed)` : json(e.event.data ?? e.event.data_base64 ?? null)]],
    page.data.slice().reverse(), { id: 'preview-table', empty: 'No events yet.' }));
  };
  await refresh().catch(error => fill(status, el('span', { className: 'error' }, error.message)));
  const timer = setInterval(() => refresh().catch(error => fill(status, el('span', { className: 'error' }, error.message))),
    PREVIEW_EVERY_MS);
  return () => clearInterval(timer);
}

async function keys(view, caller) {
  const base = `/v1/accounts/${path(caller.account)}/keys`;
  const shown = el('div', { id: 'new-secret' });
  const list = el('div', { id: 'keys-list' });
  const reload = async () => {
    fill(list, table([['id', k => k.id], ['scopes', k => k.scopes.join(', ')], ['resources', k => (k.resources || []).join(', ')],
      ['expires', k => when(k.expires_at)], ['created', k => when(k.created_at)],
      ['', k => el('button', { type: 'button', className: 'plain delete-key', dataset: { key: k.id }, on: { click: async () => {
        if (!confirm(`Delete key ${k.id}? Its open sessions end.`)) return;
        await api(`${base}/${path(k.id)}`, { method: 'DELETE' });
        await reload();
      } } }, 'Delete')]], await all(base), { id: 'keys-table' }));
  };
  const boxes = ['read', 'subscribe', 'publish', 'admin'].map(scope => el('label', {},
    el('input', { type: 'checkbox', value: scope, checked: scope === 'read' || scope === 'subscribe', className: 'scope' }), ` ${scope}`));
  const create = el('form', { className: 'inline', id: 'create-key', on: { submit: async event => {
    event.preventDefault();
    const scopes = boxes.map(label => label.firstChild).filter(box => box.checked).map(box => box.value);
    try {
      const created = await api(base, { method: 'POST', body: { scopes } });
      fill(shown, el('div', { className: 'secret' }, `Key ${created.id}: copy its secret now, it is not shown again: `,
        el('code', { id: 'secret-value' }, created.secret)));
      await reload();
    } catch (error) {
      fill(shown, el('p', { className: 'error' }, error.message));
    }
  } } }, ...boxes, el('button', { type: 'submit' }, 'Create key'));
  fill(view, el('h2', {}, 'API keys'), card('New key', create, shown), card('Keys', list));
  await reload();
}

async function billing(view, caller) {
  const base = `/v1/accounts/${path(caller.account)}`;
  const [usage, upcoming, invoices, wallet, subs] = await Promise.all([api(`${base}/usage`), api(`${base}/invoices/upcoming`),
    all(`${base}/invoices`), api(`${base}/wallet`), all('/v1/subscriptions')]);
  const own = subs.filter(s => s.account === caller.account);
  const plans = new Map(await Promise.all([...new Set(own.map(s => s.plan))].map(async id => [id, await api(`/v1/plans/${path(id)}`)])));
  const current = upcoming.period.id;
  const used = id => (usage.data.find(u => u.subscription === id && u.period === current) || {}).events || 0;
  fill(view, el('h2', {}, 'Usage and billing'),
    card(`Usage this period (${current})`, table([['subscription', s => s.id], ['plan', s => (plans.get(s.plan) || {}).name || s.plan],
      ['acknowledged events', s => used(s.id), 'num'],
      ['quota', s => { const quota = (plans.get(s.plan) || {}).quota;
        return quota ? el('span', {}, meter(used(s.id), quota.events_per_period), ` ${used(s.id)} of ${quota.events_per_period}`) : 'no quota'; }]],
    own, { id: 'usage-table', empty: 'No subscriptions.' })),
    card('Upcoming invoice', table([['subscription', l => l.subscription], ['kind', l => l.kind], ['quantity', l => l.quantity, 'num'],
      ['amount', l => `${l.amount} ${l.currency}`, 'num']], upcoming.lines, { id: 'upcoming-lines', empty: 'Nothing so far this period.' }),
    el('p', {}, 'Totals: ', upcoming.totals.map(t => `${t.amount} ${t.currency}`).join(', ') || 'none')),
    card('Invoices', invoiceTable(invoices, 'consumer-invoices')),
    card('Wallet', table([['currency', b => b.currency], ['balance', b => b.amount, 'num']], wallet.balances,
      { id: 'wallet-table', empty: 'No credits.' })));
}

export const consumerViews = [['browse', 'Browse', browse], ['subscriptions', 'Subscriptions', subscriptions],
  ['keys', 'Keys', keys], ['billing', 'Billing', billing]];
