/**
 * The grok debugger at `/grok` (Kibana's, without Kibana): sample data, a grok pattern and custom patterns
 * in, the structured data out, or for a miss the GrokMatcher's explanation of where the pattern stopped
 * matching. All assets are served from here (no CDN); pattern names autocomplete from the loaded library;
 * everything is reachable by keyboard (Ctrl+Enter simulates; the completion list follows the ARIA combobox
 * pattern).
 */
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';
import { ECS_VALUES } from '../event/ecs.js';
import { stringifyValue } from '../event/values.js';
import { builtinPatternNames, GrokMatcher, type MissExplanation } from '../formats/grok/index.js';
import type { EcsMode } from '../plugins/options.js';

const CSP = "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'";

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Grok Debugger · sluice</title>
<link rel="icon" href="/grok/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/grok/app.css">
<script src="/grok/app.js" defer></script>
</head>
<body>
<main>
<h1>Grok Debugger</h1>
<form id="form" novalidate>
  <div class="field">
    <label for="sample">Sample data</label>
    <textarea id="sample" rows="4" spellcheck="false"></textarea>
  </div>
  <div class="field combo">
    <label for="pattern">Grok pattern</label>
    <textarea id="pattern" rows="3" spellcheck="false" role="combobox" aria-autocomplete="list" aria-expanded="false" aria-controls="completions" aria-describedby="pattern-help"></textarea>
    <p id="pattern-help" class="help">Type <code>%{</code> for pattern names: arrows to choose, Enter or Tab to insert, Escape to close. Ctrl+Enter simulates.</p>
    <ul id="completions" role="listbox" aria-label="Pattern names" hidden></ul>
  </div>
  <div class="field">
    <label for="custom">Custom patterns</label>
    <textarea id="custom" rows="3" spellcheck="false" placeholder="NAME regex (one per line)"></textarea>
  </div>
  <div class="field">
    <label for="ecs">ECS compatibility</label>
    <select id="ecs">${ECS_VALUES.map((v) => `<option value="${v}"${v === 'v8' ? ' selected' : ''}>${v}</option>`).join('')}</select>
  </div>
  <button type="submit" id="simulate">Simulate</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
<section id="structured" aria-labelledby="structured-title">
  <h2 id="structured-title">Structured data</h2>
  <pre id="structured-json" tabindex="0"></pre>
</section>
<section id="explanation" aria-labelledby="explanation-title" hidden>
  <h2 id="explanation-title">Explanation</h2>
  <div id="explanation-body" tabindex="0"></div>
</section>
</main>
</body>
</html>
`;

const CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.field { display: flex; flex-direction: column; margin: 0 0 1rem; position: relative; }
label { font-weight: 600; margin-bottom: .25rem; }
textarea, pre, select { font: 14px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
textarea { padding: .5rem; border: 1px solid #888; border-radius: 4px; resize: vertical; }
textarea:focus, button:focus, pre:focus, select:focus, #explanation-body:focus { outline: 3px solid #2f6fdf; outline-offset: 1px; }
.help { margin: .25rem 0 0; font-size: .85rem; opacity: .8; }
button { font-size: 1rem; padding: .5rem 1.25rem; border-radius: 4px; border: 1px solid #2f6fdf; background: #2f6fdf; color: #fff; cursor: pointer; }
pre { background: rgba(127,127,127,.12); padding: .75rem; border-radius: 4px; min-height: 2rem; white-space: pre-wrap; word-break: break-all; }
#completions { position: absolute; top: 100%; left: 0; z-index: 2; max-height: 14rem; overflow-y: auto; margin: 0; padding: 0; list-style: none; background: Canvas; color: CanvasText; border: 1px solid #888; border-radius: 4px; min-width: 18rem; }
#completions li { padding: .2rem .5rem; font-family: ui-monospace, monospace; cursor: pointer; }
#completions li[aria-selected="true"] { background: #2f6fdf; color: #fff; }
#explanation-body dt { font-weight: 600; }
#explanation-body dd { margin: 0 0 .5rem; font-family: ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
.error { color: #c62828; }
`;

const FAVICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2f6fdf"/><text x="8" y="12" font-size="10" text-anchor="middle" fill="#fff">g</text></svg>';

// The page's script: plain browser JavaScript, no dependencies.
const JS = `'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var form = $('form'), sample = $('sample'), pattern = $('pattern'), custom = $('custom'), ecs = $('ecs');
  var list = $('completions'), statusEl = $('status'), out = $('structured-json');
  var explanation = $('explanation'), explanationBody = $('explanation-body');
  var names = { builtin: [], custom: [] };
  var active = -1, matches = [], tokenStart = -1;
  // The library's names, once loaded for the ECS mode shown; a completion asked before they arrive (or
  // after a failed load) waits for them instead of offering nothing.
  var namesLoading = null, namesLoaded = false;

  function loadNames() {
    namesLoaded = false;
    var loading = fetch('/grok/api/patterns?ecs=' + encodeURIComponent(ecs.value)).then(function (r) { return r.json(); })
      .then(function (j) { if (namesLoading === loading) { names.builtin = j.patterns || []; namesLoaded = true; } })
      .catch(function () { if (namesLoading === loading) namesLoading = null; });
    namesLoading = loading;
    return loading;
  }
  function customNames() {
    return custom.value.split('\\n').map(function (l) { var m = /^\\s*([A-Za-z0-9_]+)\\s+\\S/.exec(l); return m ? m[1] : null; }).filter(Boolean);
  }
  function close() {
    list.hidden = true; list.innerHTML = ''; active = -1; matches = [];
    pattern.setAttribute('aria-expanded', 'false'); pattern.removeAttribute('aria-activedescendant');
  }
  function highlight(i) {
    var items = list.children;
    for (var k = 0; k < items.length; k++) items[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
    active = i;
    if (i >= 0 && items[i]) { pattern.setAttribute('aria-activedescendant', items[i].id); items[i].scrollIntoView({ block: 'nearest' }); }
  }
  function suggest() {
    var upto = pattern.value.slice(0, pattern.selectionStart);
    var m = /%\\{([A-Za-z0-9_]*)$/.exec(upto);
    if (!m) return close();
    if (!namesLoaded) (namesLoading || loadNames()).then(function () { if (namesLoaded && document.activeElement === pattern) suggest(); });
    tokenStart = upto.length - m[1].length;
    var prefix = m[1].toUpperCase();
    var all = customNames().concat(names.builtin);
    var seen = {};
    matches = all.filter(function (n) { if (seen[n]) return false; seen[n] = true; return n.toUpperCase().indexOf(prefix) === 0; }).slice(0, 50);
    if (matches.length === 0) return close();
    list.innerHTML = '';
    matches.forEach(function (n, i) {
      var li = document.createElement('li');
      li.id = 'completion-' + i; li.setAttribute('role', 'option'); li.textContent = n;
      li.addEventListener('mousedown', function (e) { e.preventDefault(); accept(i); });
      list.appendChild(li);
    });
    list.hidden = false; pattern.setAttribute('aria-expanded', 'true');
    highlight(0);
  }
  function accept(i) {
    var name = matches[i]; if (!name) return;
    var caret = pattern.selectionStart;
    var before = pattern.value.slice(0, tokenStart), after = pattern.value.slice(caret);
    var closing = after.charAt(0) === '}' || after.charAt(0) === ':' ? '' : '}';
    pattern.value = before + name + closing + after;
    var pos = before.length + name.length + closing.length;
    pattern.setSelectionRange(pos, pos);
    close(); pattern.focus();
  }
  pattern.addEventListener('input', suggest);
  // The list closes a moment after the field loses focus (so a click on an option still lands), unless
  // focus has come back by then: a stale close must not hide a list opened by typing since.
  pattern.addEventListener('blur', function () { setTimeout(function () { if (document.activeElement !== pattern) close(); }, 100); });
  pattern.addEventListener('keydown', function (e) {
    if (list.hidden) return;
    if (e.key === 'ArrowDown') { e.preventDefault(); highlight((active + 1) % matches.length); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); highlight((active - 1 + matches.length) % matches.length); }
    else if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') { if (active >= 0) { e.preventDefault(); accept(active); } }
    else if (e.key === 'Escape') { e.preventDefault(); close(); }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); simulate(); }
  });
  ecs.addEventListener('change', loadNames);

  function showExplanation(x) {
    explanationBody.innerHTML = '';
    var dl = document.createElement('dl');
    function row(t, v) { var dt = document.createElement('dt'); dt.textContent = t; var dd = document.createElement('dd'); dd.textContent = v; dl.appendChild(dt); dl.appendChild(dd); }
    if (!x) { row('No match', 'The pattern does not match the sample data.'); }
    else if (x.matchedPrefix === '') { row('No match', 'No part of the pattern matches the sample data; it fails from the start:'); row('Failed at', x.failedAt); }
    else {
      row('Matched', x.matchedPrefix);
      row('Stopped at offset ' + x.stoppedAt, x.remainingText);
      row('Failed at', x.failedAt);
    }
    explanationBody.appendChild(dl);
    explanation.hidden = false;
  }
  function simulate() {
    close();
    statusEl.textContent = 'Simulating…'; statusEl.className = '';
    fetch('/grok/api/simulate', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sample: sample.value, pattern: pattern.value, custom: custom.value, ecs: ecs.value }),
    }).then(function (r) { return r.json(); }).then(function (j) {
      if (j.error) { statusEl.textContent = j.error; statusEl.className = 'error'; out.textContent = ''; explanation.hidden = true; return; }
      if (j.status === 'match') {
        out.textContent = JSON.stringify(j.fields, null, 2); explanation.hidden = true; statusEl.textContent = 'Matched.';
      } else if (j.status === 'timeout') {
        out.textContent = ''; statusEl.textContent = 'The match took too long and was stopped.'; statusEl.className = 'error'; explanation.hidden = true;
      } else {
        out.textContent = '{}'; statusEl.textContent = 'No match.'; showExplanation(j.explanation);
      }
    }).catch(function (e) { statusEl.textContent = 'Request failed: ' + e.message; statusEl.className = 'error'; });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); simulate(); });
  loadNames();
})();
`;

interface SimulateBody { sample?: unknown; pattern?: unknown; custom?: unknown; ecs?: unknown }

function ecsOf(v: unknown, fallback: EcsMode): EcsMode {
  return typeof v === 'string' && (ECS_VALUES as readonly string[]).includes(v) ? v as EcsMode : fallback;
}

/** Simulate one sample: the fields of a match, or the explanation of a miss, or an error for a bad pattern. */
export async function simulateGrok(body: SimulateBody, defaultEcs: EcsMode): Promise<Record<string, unknown>> {
  const pattern = typeof body.pattern === 'string' ? body.pattern : '';
  if (pattern.trim() === '') return { error: 'Enter a grok pattern.' };
  const sample = (typeof body.sample === 'string' ? body.sample : '').replace(/\r?\n$/, '');
  let matcher: GrokMatcher | undefined;
  try {
    matcher = new GrokMatcher({ ecs: ecsOf(body.ecs, defaultEcs), patternText: typeof body.custom === 'string' ? body.custom : '', timeoutMillis: 5000 });
    const grok = await matcher.compile(pattern);
    const r = await grok.inspect(sample, { explain: true });
    if (r.status === 'match') return { status: 'match', fields: JSON.parse(stringifyValue(r.fields)) as unknown };
    if (r.status === 'timeout') return { status: 'timeout' };
    const x: MissExplanation | undefined = r.explanation;
    return { status: 'miss', explanation: x ?? null };
  } catch (err) {
    return { error: (err as Error).message };
  } finally {
    await matcher?.close();
  }
}

export function registerGrokDebugger(app: FastifyInstance, settings: Settings): void {
  const defaultEcs = ecsOf(settings.string('pipeline.ecs_compatibility'), 'v8');
  const page = (type: string, body: string) => (_req: unknown, reply: { header(k: string, v: string): typeof reply; send(b: string): unknown }) => {
    reply.header('content-type', type).header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(body);
  };
  app.get('/grok', page('text/html; charset=utf-8', HTML));
  app.get('/grok/', page('text/html; charset=utf-8', HTML));
  app.get('/grok/app.js', page('text/javascript; charset=utf-8', JS));
  app.get('/grok/app.css', page('text/css; charset=utf-8', CSS));
  app.get('/grok/favicon.svg', page('image/svg+xml', FAVICON));
  app.get('/favicon.ico', page('image/svg+xml', FAVICON));
  app.get('/grok/api/patterns', (req, reply) => {
    const ecs = ecsOf((req.query as { ecs?: string }).ecs, defaultEcs);
    void reply.header('content-type', 'application/json').send(JSON.stringify({ patterns: builtinPatternNames(ecs) }));
  });
  app.post('/grok/api/simulate', async (req, reply) => {
    let body: SimulateBody = {};
    try { body = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '{}') as SimulateBody; } catch { body = {}; }
    const result = await simulateGrok(body, defaultEcs);
    void reply.header('content-type', 'application/json').send(JSON.stringify(result));
  });
}
