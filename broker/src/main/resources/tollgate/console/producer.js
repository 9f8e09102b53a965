// A producer's views: its domains, topics and schemas, products and plans; its subscribers and
// their lag; its revenue statements over time.
import { api, all, path } from '/console/api.js';
import { el, fill, table, card, when, json } from '/console/dom.js';
import { lineChart, analyticsChart, currenciesOf } from '/console/chart.js';

async function catalog(view, caller) {
  const [domains, topics, products] = await Promise.all([all('/v1/domains'), all('/v1/topics'), all('/v1/products')]);
  const own = new Set(domains.filter(d => d.owner === caller.account).map(d => d.name));
  const ownProducts = products.filter(p => p.owner === caller.account);
  const plans = await Promise.all(ownProducts.map(p => all(`/v1/products/${path(p.id)}/plans`)));
  fill(view, el('h2', {}, 'Domains, topics and products'),
    card('Domains', table([['name', d => d.name], ['created', d => when(d.created_at)]],
      domains.filter(d => own.has(d.name)), { id: 'producer-domains' })),
    card('Topics', table([['name', t => t.name], ['domain', t => t.domain], ['partitions', t => t.partitions, 'num'],
      ['schema version', t => t.schema_version ?? 'none', 'num'], ['schema', t => (t.schema ? json(t.schema) : '')]],
    topics.filter(t => own.has(t.domain)), { id: 'producer-topics' })),
    ...ownProducts.map((product, i) => productCard(product, plans[i], () => catalog(view, caller))));
}

/**
 * One product of the producer's: what it is, a form to edit its description and visibility, and
 * buttons to retire it and each of its plans (docs/ARCHITECTURE.md, "Editing and retiring the
 * catalog": existing subscriptions run on). `reload` draws the view again after a change.
 */
function productCard(product, plans, reload) {
  const outcome = el('p', { className: 'muted', id: `product-outcome-${product.id}` });
  const act = change => async () => {
    try {
      await change();
      await reload();
    } catch (error) {
      fill(outcome, error.message);
    }
  };
  const retired = Boolean(product.retired_at);
  const description = el('textarea', { id: `description-${product.id}`, rows: 2, value: product.description || '' });
  const visibility = el('select', { id: `visibility-${product.id}` },
    ['public', 'private'].map(v => el('option', { value: v, selected: v === product.visibility }, v)));
  const edit = el('form', { className: 'inline', id: `edit-${product.id}`, on: { submit: event => {
    event.preventDefault();
    act(() => api(`/v1/products/${path(product.id)}`, { method: 'PATCH',
      body: { description: description.value, visibility: visibility.value } }))();
  } } }, description, visibility, el('button', { type: 'submit' }, 'Save'));
  const retire = retired ? null : el('button', { type: 'button', className: 'plain retire-product',
    dataset: { product: product.id }, on: { click: act(() => api(`/v1/products/${path(product.id)}/retire`, { method: 'POST' })) } },
  'Retire product');
  return card(`Product ${product.name}`,
    el('p', { id: `product-${product.id}` }, el('code', {}, product.id), ` · ${product.visibility} · topics: ${product.topics.join(', ')}`,
      retired ? ` · retired ${when(product.retired_at)}: no new subscriptions; existing ones run on` : ''),
    product.description ? el('p', {}, product.description) : null,
    edit, retire, outcome,
    table([['plan', p => p.id], ['name', p => p.name], ['currency', p => p.currency], ['price', p => priceOf(p)],
      ['quota', p => (p.quota ? `${p.quota.events_per_period} / period (${p.quota.on_exceed})` : '')],
      ['revenue share', p => p.revenue_share ?? ''],
      ['', p => (p.retired_at ? `retired ${when(p.retired_at)}` : el('button', { type: 'button', className: 'plain retire-plan',
        dataset: { plan: p.id }, on: { click: act(() => api(`/v1/plans/${path(p.id)}/retire`, { method: 'POST' })) } }, 'Retire'))]],
    plans, { id: `plans-${product.id}`, empty: 'No plans yet.' }));
}

/** A plan's price in a few words. */
export function priceOf(plan) {
  const price = plan.price || {};
  if (price.model === 'per_unit') return `${price.unit_amount} ${plan.currency} per event`;
  if (price.model === 'package') return `${price.package_amount} ${plan.currency} per ${price.package_size} events`;
  if (price.tiers) return `${price.model}: ${price.tiers.map(t => `${t.unit_amount} up to ${t.up_to ?? '∞'}`).join(', ')}`;
  return '';
}

async function subscribers(view, caller) {
  const statements = await api(`/v1/accounts/${path(caller.account)}/statements`);
  const bySubscription = new Map();
  for (const statement of statements.data) {
    for (const line of statement.lines) {
      const known = bySubscription.get(line.subscription) || { subscription: line.subscription, consumer: line.consumer, periods: new Set(), charges: {} };
      known.periods.add(statement.period);
      known.charges[statement.currency] = ((known.charges[statement.currency] || 0) + Number(line.charge));
      bySubscription.set(line.subscription, known);
    }
  }
  const lagChart = el('div', { className: 'chart', id: 'subscriber-lag-chart' });
  const lagTable = el('div', { id: 'subscriber-lag' });
  fill(view, el('h2', {}, 'Subscribers'),
    card('Subscriptions to your products that were billed', table([['subscription', s => s.subscription],
      ['consumer', s => s.consumer], ['periods', s => [...s.periods].join(', ')],
      ['charged', s => Object.entries(s.charges).map(([c, v]) => `${v.toFixed(2)} ${c}`).join(', '), 'num']],
    [...bySubscription.values()], { id: 'subscribers-table', empty: 'No billed subscriptions yet.' })),
    card('Lag of your subscribers (events), last 3 h', lagChart, lagTable));
  const answer = await analyticsChart(lagChart, 'subscriptions', [['lag (events)', 'lag_events']], { resolution: 'minute', hours: 3 });
  if (answer) {
    fill(lagTable, table([['subscription', entry => entry.key], ['lag now (events)', entry => last(entry).lag_events ?? 0, 'num'],
      ['lag now (s)', entry => last(entry).lag_seconds ?? 0, 'num']], answer.data, { id: 'subscriber-lag-table' }));
  }
}

function last(entry) {
  return (entry.series || [])[entry.series.length - 1] || {};
}

async function revenue(view, caller) {
  const statements = await api(`/v1/accounts/${path(caller.account)}/statements`);
  const chart = el('div', { className: 'chart', id: 'revenue-chart' });
  const live = el('div', { className: 'chart', id: 'revenue-analytics' });
  fill(view, el('h2', {}, 'Revenue'),
    card('Your share per period (statements)', chart),
    card('Statements', table([['period', s => s.period], ['currency', s => s.currency], ['charges', s => s.charges, 'num'],
      ['your share', s => s.producer_share, 'num'], ['platform fees', s => s.platform_fees, 'num']],
    statements.data, { id: 'statements-table', empty: 'No statements yet.' })),
    card('Revenue per hour, last 24 h (analytics)', live));
  const currencies = [...new Set(statements.data.map(s => s.currency))].sort();
  const periods = [...new Set(statements.data.map(s => s.period))].sort();
  if (periods.length === 0) {
    fill(chart, el('p', { className: 'muted' }, 'No statements yet.'));
  } else {
    const share = currencies.map(currency => periods.map(period => Number((statements.data
      .find(s => s.period === period && s.currency === currency) || {}).producer_share || 0)));
    lineChart(chart, currencies.map(c => `share (${c})`), [periods.map((p, i) => i), ...share],
      { xLabels: periods });
  }
  analyticsChart(live, 'products', answer => currenciesOf(answer, 'revenue').map(c => [`revenue (${c})`, `revenue.${c}`]));
}

export const producerViews = [['catalog', 'Catalog', catalog], ['subscribers', 'Subscribers', subscribers],
  ['revenue', 'Revenue', revenue]];
