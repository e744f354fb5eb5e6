// The test web app's only script: the "show me ..." buttons call this app's own
// /api/{asteroids|planets|moons}, whose server calls the gateway with the session's token, and
// render the answer. Everything is built with DOM methods and textContent (never innerHTML), so
// nothing the gateway sends can become markup.
'use strict';

const VERDICTS = {
  ok: 'the gateway let the call through',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  unreachable: 'the gateway is unreachable',
  error: 'the gateway answered with an error',
};

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function verdict(answer) {
  const status = answer.status === null || answer.status === undefined ? '' : ` (${answer.status})`;
  return (VERDICTS[answer.outcome] || answer.outcome) + status;
}

// The first array of objects in the body, e.g. {"planets": [...]}, to show as a table.
function rows(body) {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const lists = Object.values(body).filter(Array.isArray);
    if (lists.length === 1) return lists[0];
  }
  return null;
}

function table(items) {
  const columns = [];
  for (const item of items) {
    for (const key of Object.keys(item)) if (!columns.includes(key)) columns.push(key);
  }
  // The backend's JSON comes with sorted keys; a person reads the name first.
  columns.sort((a, b) => (b === 'name') - (a === 'name'));
  const head = element('tr');
  for (const column of columns) head.append(element('th', null, column.replaceAll('_', ' ')));
  const tbody = element('tbody');
  for (const item of items) {
    const row = element('tr');
    for (const column of columns) {
      const value = item[column];
      row.append(element('td', null, value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)));
    }
    tbody.append(row);
  }
  const thead = element('thead');
  thead.append(head);
  const result = element('table');
  result.append(thead, tbody);
  return result;
}

function bodyView(answer) {
  const items = answer.outcome === 'ok' ? rows(answer.body) : null;
  const wrapper = element('div', 'scroll');
  if (items && items.length && items.every((i) => i && typeof i === 'object' && !Array.isArray(i))) {
    wrapper.append(table(items));
  } else if (typeof answer.body === 'string') {
    wrapper.append(element('p', 'explain', answer.body));
  } else {
    wrapper.append(element('pre', 'json', JSON.stringify(answer.body, null, 2)));
  }
  return wrapper;
}

function render(box, answer) {
  box.dataset.outcome = answer.outcome;
  box.dataset.status = answer.status === null || answer.status === undefined ? '' : String(answer.status);
  const items = answer.outcome === 'ok' ? rows(answer.body) : null;
  const count = items ? ` — ${items.length} item${items.length === 1 ? '' : 's'}` : '';
  const parts = [element('p', 'verdict', verdict(answer) + count)];
  if (answer.www_authenticate) {
    parts.push(element('p', 'explain', 'www-authenticate: ' + answer.www_authenticate));
  }
  parts.push(bodyView(answer));
  box.replaceChildren(...parts);
}

async function show(button) {
  const name = button.dataset.api;
  const box = document.getElementById('result-' + name);
  if (!box) return;
  button.disabled = true;
  box.dataset.outcome = 'loading';
  box.replaceChildren(element('p', 'verdict', 'calling the gateway…'));
  try {
    const response = await fetch('/api/' + encodeURIComponent(name), {
      headers: { accept: 'application/json' },
      credentials: 'same-origin',
      cache: 'no-store',
    });
    render(box, await response.json());
  } catch (err) {
    render(box, { status: null, outcome: 'error', body: 'The test app did not answer: ' + err.message, www_authenticate: null });
  } finally {
    button.disabled = false;
  }
}

document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('button[data-api]')) {
    button.addEventListener('click', () => show(button));
  }
});
