// Building the page from data without markup: every value from the API becomes a text node or a
// property, never HTML, so nothing it holds can run as script (the CSP forbids inline script too).

/** An element: el('td', {className: 'num'}, 'text', otherElement). Strings become text nodes. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    } else if (name === 'dataset') {
      Object.assign(node.dataset, value);
    } else {
      node[name] = value;
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what a node holds. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/**
 * A table of rows: columns are [heading, row => cell], a cell being text or an element.
 * `empty` is what shows when there are no rows.
 */
export function table(columns, rows, { id, empty = 'Nothing yet.' } = {}) {
  if (!rows || rows.length === 0) return el('p', { className: 'muted' }, empty);
  const numeric = columns.map(([heading, , kind]) => kind === 'num');
  return el('table', id ? { id } : {},
    el('thead', {}, el('tr', {}, columns.map(([heading], i) => el('th', numeric[i] ? { className: 'num' } : {}, heading)))),
    el('tbody', {}, rows.map(row => el('tr', {},
      columns.map(([, cell], i) => el('td', numeric[i] ? { className: 'num' } : {}, cell(row) ?? ''))))));
}

/** A headed card. */
export function card(title, ...children) {
  return el('section', { className: 'card' }, title ? el('h3', {}, title) : null, ...children);
}

/** A number with its label, for the overview. */
export function stat(label, value, id) {
  return el('div', { className: 'stat', id: id || '' }, el('div', { className: 'value' }, value), el('div', { className: 'label' }, label));
}

/** JSON as indented text. */
export function json(value) {
  return el('pre', {}, JSON.stringify(value, null, 2));
}

export function when(instant) {
  return instant ? new Date(instant).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

/** A usage meter, used against allowed. */
export function meter(used, allowed) {
  const share = allowed > 0 ? Math.min(1, used / allowed) : 0;
  const bar = el('span');
  bar.style.width = `${Math.round(share * 100)}%`;
  return el('span', { className: 'meter', title: `${used} of ${allowed}` }, bar);
}
