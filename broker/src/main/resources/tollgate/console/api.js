// The console's only way to the node: the HTTP API, with the credential the user signed in with.
// The credential lives in sessionStorage, so it is gone when the tab closes; no cookie is set.

const KEY = 'tollgate.credential';

export const credential = {
  get: () => sessionStorage.getItem(KEY),
  set: value => sessionStorage.setItem(KEY, value),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An answer the API refused: its HTTP status and the broker's error code and message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the API; JSON answers are parsed, refusals thrown as ApiError. Signed out, it sends
 * nothing: a view still polling after sign-out would otherwise send "Bearer null", which the node
 * counts as a failed authentication of this address (and then throttles a real sign-in).
 */
export async function api(path, { method = 'GET', body } = {}) {
  const secret = credential.get();
  if (!secret) throw new ApiError(401, 'unauthenticated', 'signed out');
  const headers = { Authorization: `Bearer ${secret}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const answer = text && (response.headers.get('Content-Type') || '').includes('json') ? JSON.parse(text) : text;
  if (!response.ok) {
    const error = answer && answer.error ? answer.error : { code: String(response.status), message: response.statusText };
    throw new ApiError(response.status, error.code, error.message);
  }
  return answer;
}

/** Every item of a paged list (up to `max`), following next_after. */
export async function all(path, max = 1000) {
  const items = [];
  let after = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page = await api(`${path}${separator}limit=100${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    items.push(...page.data);
    after = page.next_after || null;
  } while (after && items.length < max);
  return items;
}

/** The node's Prometheus text as {name: value}, summing a metric's labelled series. */
export async function metrics() {
  const response = await fetch('/metrics');
  const values = {};
  for (const line of (await response.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match) values[match[1]] = (values[match[1]] || 0) + Number(match[3]);
  }
  return values;
}

export const path = (...parts) => parts.map(encodeURIComponent).join('/');
