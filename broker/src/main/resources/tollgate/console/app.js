// The console's shell: sign-in, the caller's views (chosen by GET /v1/me) and hash routing.
import { api, all, credential } from '/console/api.js';
import { el, fill } from '/console/dom.js';
import { operatorViews } from '/console/operator.js';
import { producerViews } from '/console/producer.js';
import { consumerViews } from '/console/consumer.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const signOut = document.getElementById('sign-out');
let stopCurrent = () => {};

signOut.addEventListener('click', () => {
  credential.clear();
  location.hash = '';
  start();
});

function signIn(message) {
  fill(nav);
  fill(who);
  signOut.hidden = true;
  const secret = el('input', { type: 'password', id: 'credential', placeholder: 'key_… or a JWT', autocomplete: 'off', required: true });
  const form = el('form', { id: 'sign-in', on: { submit: event => {
    event.preventDefault();
    credential.set(secret.value.trim());
    start();
  } } },
  el('h2', {}, 'Sign in'),
  el('p', { className: 'muted' }, 'With an API key or a JWT. It is kept in this browser tab only (session storage) and sent to this node’s API.'),
  secret, el('button', { type: 'submit' }, 'Sign in'),
  message ? el('p', { className: 'error', id: 'sign-in-error' }, message) : null);
  fill(main, el('div', { className: 'signin card' }, form));
}

/** The views the caller has: [group, [[route, title, render]...]], a producer's first when it owns a domain. */
async function viewsOf(caller) {
  if (caller.operator) return [['Operator', operatorViews]];
  const domains = await all('/v1/domains').catch(() => []);
  const producer = domains.some(domain => domain.owner === caller.account);
  return producer ? [['Producer', producerViews], ['Consumer', consumerViews]]
    : [['Consumer', consumerViews], ['Producer', producerViews]];
}

async function start() {
  stopCurrent();
  if (!credential.get()) return signIn();
  let caller;
  try {
    caller = await api('/v1/me');
  } catch (error) {
    credential.clear();
    return signIn(error.message);
  }
  const groups = await viewsOf(caller);
  const routes = new Map();
  fill(nav);
  for (const [group, views] of groups) {
    nav.append(el('span', { className: 'group' }, group));
    for (const [route, title, render] of views) {
      routes.set(route, render);
      nav.append(el('a', { href: `#/${route}`, dataset: { route } }, title));
    }
  }
  nav.append(el('a', { href: '/console/openapi.html' }, 'API'));
  fill(who, caller.operator ? 'operator' : `${caller.account} (${caller.scopes.join(', ')})`);
  signOut.hidden = false;
  const show = async () => {
    stopCurrent();
    stopCurrent = () => {};
    const wanted = location.hash.replace(/^#\//, '').split('/');
    const route = routes.has(wanted[0]) ? wanted[0] : routes.keys().next().value;
    for (const link of nav.querySelectorAll('a[data-route]')) link.classList.toggle('active', link.dataset.route === route);
    const view = el('div', { id: `view-${route}` });
    fill(main, view);
    try {
      const stop = await routes.get(route)(view, caller, wanted.slice(1).map(decodeURIComponent));
      if (typeof stop === 'function') stopCurrent = stop;
    } catch (error) {
      view.append(el('p', { className: 'error' }, error.message));
    }
  };
  window.onhashchange = show;
  await show();
}

start();
