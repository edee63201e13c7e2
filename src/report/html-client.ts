// The HTML report's style and script, inlined into every page (src/report/html.ts). Plain browser
// JavaScript in a string, so the bundle and the standalone executable carry it without a loader. Rules
// the script keeps: data reaches the page only through textContent and setAttribute (never innerHTML),
// nothing is fetched, and it works from file:// (copy falls back to a selected textarea). Written without
// template literals and `${`, as it lives inside one.

export const CLIENT_STYLE = String.raw`
body.matrix{--leak:#1565c0;--pass:#8a8f98}
:root{--leak:#c62828;--broken:#e06c00;--inconclusive:#a58a00;--pass:#2e7d32;--bg:#fff;--fg:#1d1d1f;--mute:#666;--line:#d0d4da;--box:#f4f6f8;--hi:#1565c0}
@media (prefers-color-scheme:dark){:root{--bg:#16181b;--fg:#e8e8e8;--mute:#9aa;--line:#3a3f46;--box:#202328;--hi:#64b5f6;--inconclusive:#d4b106;--pass:#4caf50}}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;background:var(--bg);color:var(--fg)}
header{padding:12px 16px;border-bottom:1px solid var(--line)}h1{font-size:20px;margin:0 0 4px}
.verdict-failed{color:var(--leak)}.verdict-undecided{color:var(--inconclusive)}.verdict-passed{color:var(--pass)}
.counts span{display:inline-block;margin-right:14px;font-weight:600}.meta{color:var(--mute);font-size:12px}
.findings{margin:6px 0 0;padding-left:18px}.findings li{margin:2px 0}
.bar{display:flex;flex-wrap:wrap;gap:10px;align-items:center;padding:8px 16px;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:2}
.bar label{white-space:nowrap}.bar input[type=search]{width:220px}.bar .shown{color:var(--mute)}
button{font:inherit;cursor:pointer;border:1px solid var(--line);background:var(--box);color:var(--fg);border-radius:4px;padding:2px 8px}
button[aria-selected=true]{background:var(--hi);color:#fff;border-color:var(--hi)}
main{padding:8px 16px}.view[hidden]{display:none}.note{color:var(--mute);font-size:12px;margin:4px 0}
.st-leak{--c:var(--leak)}.st-broken{--c:var(--broken)}.st-inconclusive{--c:var(--inconclusive)}.st-pass{--c:var(--pass)}
.badge{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;background:var(--c);font-size:12px;font-weight:600}
#graph-wrap{overflow:auto;border:1px solid var(--line);max-height:calc(100vh - 190px)}
svg text{fill:var(--fg);font-size:12px}.grp-box{fill:var(--box);stroke:var(--line)}.grp .head{cursor:pointer;font-weight:600}
.node rect{fill:var(--bg);stroke:var(--c,var(--line));stroke-width:1.5}.node{cursor:pointer}.node.hit rect{stroke:var(--hi);stroke-width:3}
.node.group rect{stroke-dasharray:4 2}
.edge{cursor:pointer}.edge path.v{fill:none;stroke:var(--c);stroke-width:var(--w,1.5);opacity:.85}.edge path.h{fill:none;stroke:transparent;stroke-width:10}
.edge.st-inconclusive path.v{stroke-dasharray:5 3}.many .edge.st-pass path.v{opacity:.25}.edge:hover path.v,.edge:focus path.v{opacity:1;stroke-width:4}
svg :focus{outline:none}.node:focus rect,.node:hover rect{stroke-width:3}.grp .head:focus text,.grp .head:hover text{text-decoration:underline}
table{border-collapse:collapse}.tt th,.tt td{border:1px solid var(--line);padding:3px 5px;vertical-align:top}
.tt thead th{position:sticky;top:0;background:var(--box);font-weight:600;max-width:150px;word-break:break-all}
.tt tbody th{position:sticky;left:0;background:var(--box);text-align:left;white-space:nowrap}
#table-wrap{overflow:auto;max-height:calc(100vh - 190px)}
.chip{display:inline-block;margin:1px;padding:1px 4px;border-radius:3px;border:1px solid var(--c);border-left-width:5px;cursor:pointer;font-size:12px;white-space:nowrap;background:var(--bg);color:var(--fg)}
.chip small{display:block;color:var(--mute);font-size:11px}
.list td,.list th{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left}.list tbody tr{cursor:pointer}
aside{position:fixed;top:0;right:0;width:min(560px,100vw);height:100vh;overflow:auto;background:var(--bg);border-left:2px solid var(--line);padding:12px 16px;z-index:5;box-shadow:-4px 0 12px rgba(0,0,0,.15)}
aside[hidden]{display:none}aside h2{font-size:16px;margin:0 0 8px;padding-right:60px}aside .close{position:absolute;top:10px;right:12px}
.res{border:1px solid var(--line);border-left:5px solid var(--c);border-radius:4px;padding:6px 8px;margin:8px 0}
.res dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 10px;margin:6px 0 0}.res dt{color:var(--mute)}.res dd{margin:0;white-space:pre-wrap;word-break:break-word}
pre{margin:2px 0;padding:6px;background:var(--box);white-space:pre-wrap;word-break:break-all;font-size:12px}
.legend span{margin-right:10px}.legend i{display:inline-block;width:18px;height:3px;background:var(--c);vertical-align:middle;margin-right:4px}
`;

export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('np-data').textContent);
  var R = D.results, N = D.nodes;
  // A matrix (netprobe matrix) has no expectations: its deny probes read as reachable, blocked, unknown.
  // From manifests (matrix --policies) every cell is the policies' answer: allowed / denied, not observed.
  var MATRIX = D.kind === 'matrix';
  var PREDICTED = MATRIX && R.length > 0 && R.every(function (r) { return r.outcome === 'not-run' && r.predicted; });
  var LABEL = PREDICTED ? { leak: 'allowed', broken: 'broken', inconclusive: 'unknown', pass: 'denied' } : MATRIX ? { leak: 'reachable', broken: 'broken', inconclusive: 'unknown', pass: 'blocked' } : { leak: 'leak', broken: 'broken', inconclusive: 'inconclusive', pass: 'pass' };
  var NOUN = MATRIX ? ['path', 'paths'] : ['expectation', 'expectations'];
  var STATUSES = MATRIX ? ['leak', 'inconclusive', 'pass'] : ['leak', 'broken', 'inconclusive', 'pass'];
  var RANK = { leak: 0, broken: 1, inconclusive: 2, pass: 3 };
  var ALL = '*';
  var state = { show: { leak: true, broken: true, inconclusive: true, pass: true }, ns: ALL, port: ALL, q: '', tab: 'graph', collapsed: {}, zoom: 1 };
  var SVGNS = 'http://www.w3.org/2000/svg';

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    setAll(e, attrs);
    (kids || []).forEach(function (k) { if (k !== null && k !== undefined) e.appendChild(typeof k === 'string' ? document.createTextNode(k) : k); });
    return e;
  }
  function sv(tag, attrs) { var e = document.createElementNS(SVGNS, tag); setAll(e, attrs); return e; }
  function setAll(e, attrs) {
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (k === 'text') e.textContent = v;
      else if (k === 'cls') e.setAttribute('class', v);
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
      else if (v !== undefined && v !== null && v !== false) e.setAttribute(k, v === true ? '' : String(v));
    });
  }
  function nsName(ns) { return ns === '' ? 'outside the cluster' : ns; }
  function fullName(n) { return n.ns === '' ? n.label : n.ns + '/' + n.label; }
  function portOf(r) { return r.port ? r.port + '/' + r.protocol : r.protocol; }
  function worst(list) { var w = 'pass'; list.forEach(function (r) { if (RANK[r.status] < RANK[w]) w = r.status; }); return w; }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }
  function countBy(list) { var c = { leak: 0, broken: 0, inconclusive: 0, pass: 0 }; list.forEach(function (r) { c[r.status] += 1; }); return c; }
  function countsLine(list) { var c = countBy(list); return STATUSES.filter(function (s) { return c[s] > 0; }).map(function (s) { return c[s] + ' ' + LABEL[s]; }).join(', '); }

  N.forEach(function (n, i) { n.idx = i; });
  R.forEach(function (r) {
    r.hay = [r.name, r.suite, r.source, r.destination, fullName(N[r.s]), fullName(N[r.d]), portOf(r), r.outcome, (r.policies || []).join(' '), (r.tags || []).join(' ')].join('\n').toLowerCase();
  });

  function shown(r) {
    if (!state.show[r.status]) return false;
    if (state.ns !== ALL && N[r.s].ns !== state.ns && N[r.d].ns !== state.ns) return false;
    if (state.port !== ALL && portOf(r) !== state.port) return false;
    return state.q === '' || r.hay.indexOf(state.q) >= 0;
  }
  function vkey(n) { return state.collapsed[n.ns] ? 'ns:' + n.ns : 'n:' + n.idx; }

  // ---- header and filters ----
  function header() {
    var s = D.summary, verdict = s.leak + s.broken > 0 ? 'failed' : s.inconclusive > 0 ? 'undecided' : 'passed';
    var counts = el('div', { cls: 'counts', id: 'counts' }, STATUSES.map(function (st) {
      return el('span', { 'class': 'st-' + st, id: 'count-' + st, 'data-count': s[st] }, [el('span', { 'class': 'badge', text: LABEL[st] }), ' ' + s[st]]);
    }).concat([el('span', { id: 'count-total', 'data-count': s.total, text: s.total + ' total' })]));
    var run = D.run, where = [run.cluster ? 'cluster ' + run.cluster : null, run.context ? 'context ' + run.context : null, 'run ' + run.id, run.command, run.startedAt + ' to ' + run.finishedAt, 'netprobe ' + D.version].filter(Boolean).join(' · ');
    var kids = [el('h1', { 'class': MATRIX ? '' : 'verdict-' + verdict, id: 'verdict', text: MATRIX ? 'netprobe matrix' : 'netprobe: ' + verdict }), counts, el('div', { cls: 'meta', id: 'run-meta', text: where })];
    if (D.findings.length > 0) {
      kids.push(el('ul', { cls: 'findings', id: 'findings' }, D.findings.map(function (f) {
        return el('li', {}, [el('b', { text: f.pattern + ': ' }), f.message + ' ', el('a', { href: '#', text: '(' + plural(f.results.length, 'result', 'results') + ')', onclick: function (ev) { ev.preventDefault(); openFinding(f); } })]);
      })));
    }
    return el('header', {}, kids);
  }
  function openFinding(f) {
    var names = {}; f.results.forEach(function (n) { names[n] = true; });
    details('Finding: ' + f.pattern, R.filter(function (r) { return names[r.name]; }));
  }
  function options(values, label) {
    return [el('option', { value: ALL, text: label })].concat(values.map(function (v) { return el('option', { value: v, text: v === '' ? 'outside the cluster' : v }); }));
  }
  function uniq(list) { var seen = {}, out = []; list.forEach(function (v) { if (!seen['#' + v]) { seen['#' + v] = 1; out.push(v); } }); return out; }
  function filters() {
    var boxes = STATUSES.map(function (st) {
      return el('label', { 'class': 'st-' + st }, [el('input', { type: 'checkbox', id: 'show-' + st, checked: true, onchange: function (ev) { state.show[st] = ev.target.checked; update(); } }), ' ', el('span', { 'class': 'badge', text: LABEL[st] }), el('span', { id: 'shown-' + st })]);
    });
    var namespaces = uniq(N.map(function (n) { return n.ns; })).sort();
    var ports = uniq(R.map(portOf)).sort(function (a, b) { return (parseInt(a, 10) || 1e9) - (parseInt(b, 10) || 1e9) || (a < b ? -1 : 1); });
    var nsSel = el('select', { id: 'filter-ns', 'aria-label': 'namespace', onchange: function (ev) { state.ns = ev.target.value; update(); } }, options(namespaces, 'all namespaces'));
    var portSel = el('select', { id: 'filter-port', 'aria-label': 'port', onchange: function (ev) { state.port = ev.target.value; update(); } }, options(ports, 'all ports'));
    var search = el('input', { type: 'search', id: 'search', placeholder: 'search names, policies, tags', oninput: function (ev) { state.q = ev.target.value.trim().toLowerCase(); update(); } });
    var tabs = ['graph', 'table', 'list'].map(function (t) {
      return el('button', { id: 'tab-' + t, role: 'tab', 'aria-selected': String(t === state.tab), text: { graph: 'Graph', table: 'Truth table', list: 'List' }[t], onclick: function () { state.tab = t; update(); } });
    });
    return el('div', { cls: 'bar', role: 'toolbar' }, tabs.concat(boxes, [nsSel, portSel, search, el('span', { cls: 'shown', id: 'shown' })]));
  }

  // ---- graph: namespace boxes packed in rows, workloads in a grid inside each ----
  var NW = 170, NH = 26, GAP = 12, PAD = 10, HEAD = 24, SPACE = 70;
  function graphModel(rows) {
    var groups = {}, order = [], edges = {}, list = [];
    function touch(n) {
      var g = groups['#' + n.ns];
      if (!g) { g = groups['#' + n.ns] = { ns: n.ns, members: [], seen: {} }; order.push(g); }
      if (!g.seen[n.idx]) { g.seen[n.idx] = true; g.members.push(n); }
    }
    rows.forEach(function (r) {
      touch(N[r.s]); touch(N[r.d]);
      var k = vkey(N[r.s]) + '>' + vkey(N[r.d]), e = edges[k];
      if (!e) { e = edges[k] = { from: vkey(N[r.s]), to: vkey(N[r.d]), results: [] }; list.push(e); }
      e.results.push(r);
    });
    // Senders left, receivers right: namespaces and their workloads by (edges out - edges in), so most
    // edges run one way across the gaps between boxes; outside hosts last.
    var flow = {};
    list.forEach(function (e) { flow[e.from] = (flow[e.from] || 0) + 1; flow[e.to] = (flow[e.to] || 0) - 1; });
    order.forEach(function (g) {
      g.members.sort(function (a, b) { return (flow[vkey(b)] || 0) - (flow[vkey(a)] || 0) || (a.label < b.label ? -1 : 1); });
      g.score = 0; g.members.forEach(function (m) { g.score += flow[vkey(m)] || 0; });
      if (state.collapsed[g.ns]) g.score = flow['ns:' + g.ns] || 0;
    });
    var inside = order.filter(function (g) { return g.ns !== ''; }).sort(function (a, b) { return b.score - a.score || (a.ns < b.ns ? -1 : 1); });
    return { groups: inside.concat(order.filter(function (g) { return g.ns === ''; })), edges: list };
  }
  function layout(groups, maxWidth) {
    var pos = {}, boxes = [], x = SPACE, y = 16, rowH = 0, width = 0;
    groups.forEach(function (g) {
      var closed = !!state.collapsed[g.ns], n = closed ? 1 : g.members.length;
      // Workloads stack in columns of up to 10, so edges between namespaces run between the boxes.
      var cols = Math.max(1, Math.ceil(n / 10));
      var w = PAD * 2 + cols * NW + (cols - 1) * GAP, h = HEAD + PAD + Math.ceil(n / cols) * (NH + GAP) - GAP + PAD;
      if (x > SPACE && x + w > maxWidth) { x = SPACE; y += rowH + SPACE; rowH = 0; }
      boxes.push({ g: g, x: x, y: y, w: w, h: h, closed: closed });
      if (closed) pos['ns:' + g.ns] = { x: x + PAD, y: y + HEAD, group: g };
      else g.members.forEach(function (m, i) { pos['n:' + m.idx] = { x: x + PAD + (i % cols) * (NW + GAP), y: y + HEAD + Math.floor(i / cols) * (NH + GAP), node: m }; });
      x += w + SPACE; rowH = Math.max(rowH, h); width = Math.max(width, x);
    });
    return { boxes: boxes, pos: pos, width: width, height: y + rowH + 16 };
  }
  // Where the line from a node's centre towards (tx, ty) leaves the node's box.
  function rim(p, tx, ty) {
    var cx = p.x + NW / 2, cy = p.y + NH / 2, dx = tx - cx, dy = ty - cy;
    var t = Math.min(dx === 0 ? Infinity : (NW / 2 + 3) / Math.abs(dx), dy === 0 ? Infinity : (NH / 2 + 3) / Math.abs(dy));
    return t === Infinity ? [cx, cy] : [cx + dx * t, cy + dy * t];
  }
  function edgePath(a, b) {
    if (a === b) { var rx = a.x + NW, ry = a.y + NH / 2; return 'M' + (rx - 10) + ' ' + a.y + ' C' + (rx + 30) + ' ' + (a.y - 24) + ' ' + (rx + 30) + ' ' + (a.y + NH + 24) + ' ' + (rx - 10) + ' ' + (a.y + NH); }
    var ac = [a.x + NW / 2, a.y + NH / 2], bc = [b.x + NW / 2, b.y + NH / 2];
    var mx = (ac[0] + bc[0]) / 2, my = (ac[1] + bc[1]) / 2, dx = bc[0] - ac[0], dy = bc[1] - ac[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
    // Bend to the right of the direction of travel, so A->B and B->A stay two lines.
    var bend = Math.min(60, len * 0.2), cx = mx - dy / len * bend, cy = my + dx / len * bend;
    var p = rim(a, cx, cy), q = rim(b, cx, cy);
    return 'M' + p[0].toFixed(1) + ' ' + p[1].toFixed(1) + ' Q' + cx.toFixed(1) + ' ' + cy.toFixed(1) + ' ' + q[0].toFixed(1) + ' ' + q[1].toFixed(1);
  }
  function markers() {
    var defs = sv('defs', {});
    STATUSES.forEach(function (st) {
      var m = sv('marker', { id: 'arrow-' + st, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', 'class': 'st-' + st });
      m.appendChild(sv('path', { d: 'M0 0 L10 5 L0 10 z', style: 'fill:var(--c)' }));
      defs.appendChild(m);
    });
    return defs;
  }
  function nodeLabel(p) {
    if (p.group) return nsName(p.group.ns) + ' (' + plural(p.group.members.length, 'workload', 'workloads') + ')';
    return p.node.label;
  }
  // A namespace's box goes under the edges, its name (a button) over them, so it stays clickable.
  function drawGroup(svg, b) {
    svg.appendChild(sv('rect', { 'class': 'grp-box', x: b.x, y: b.y, width: b.w, height: b.h, rx: 6 }));
  }
  function drawGroupHead(svg, b) {
    var g = sv('g', { 'class': 'grp', 'data-ns': b.g.ns });
    var head = sv('g', { 'class': 'head', tabindex: 0, role: 'button' });
    head.appendChild(sv('text', { x: b.x + PAD, y: b.y + 16, text: (b.closed ? '▸ ' : '▾ ') + nsName(b.g.ns) + (b.closed ? '' : ' (' + b.g.members.length + ')') }));
    head.appendChild(sv('title', { text: b.closed ? 'expand this namespace' : 'collapse this namespace into one node' }));
    activate(head, function () { state.collapsed[b.g.ns] = !b.closed; update(); });
    g.appendChild(head);
    svg.appendChild(g);
  }
  function drawNode(svg, key, p, touching) {
    var label = nodeLabel(p), full = p.group ? nsName(p.group.ns) : fullName(p.node);
    var hit = state.q !== '' && full.toLowerCase().indexOf(state.q) >= 0;
    var g = sv('g', { 'class': 'node st-' + worst(touching) + (p.group ? ' group' : '') + (hit ? ' hit' : ''), 'data-node': full, tabindex: 0, role: 'button', transform: 'translate(' + p.x + ',' + p.y + ')' });
    g.appendChild(sv('rect', { width: NW, height: NH, rx: 4 }));
    g.appendChild(sv('text', { x: 6, y: 17, text: label.length > 24 ? label.slice(0, 23) + '…' : label }));
    g.appendChild(sv('title', { text: full + ': ' + countsLine(touching) }));
    activate(g, function () { details(full, touching); });
    svg.appendChild(g);
  }
  function activate(node, fn) {
    node.addEventListener('click', fn);
    node.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); fn(); } });
  }
  function drawEdge(svg, e, pos) {
    var st = worst(e.results), d = edgePath(pos[e.from], pos[e.to]);
    var from = nodeLabelFull(pos[e.from]), to = nodeLabelFull(pos[e.to]);
    var g = sv('g', { 'class': 'edge st-' + st, 'data-from': from, 'data-to': to, 'data-status': st, tabindex: 0, role: 'button', style: '--w:' + (1.5 + Math.min(4, Math.log(e.results.length) / Math.LN2)) });
    g.appendChild(sv('path', { 'class': 'v', d: d, 'marker-end': 'url(#arrow-' + st + ')' }));
    g.appendChild(sv('path', { 'class': 'h', d: d }));
    g.appendChild(sv('title', { text: from + ' → ' + to + ': ' + plural(e.results.length, NOUN[0], NOUN[1]) + ' (' + countsLine(e.results) + ')' }));
    activate(g, function () { details(from + ' → ' + to, e.results); });
    svg.appendChild(g);
  }
  function nodeLabelFull(p) { return p.group ? nsName(p.group.ns) : fullName(p.node); }
  function renderGraph(rows) {
    var wrap = $('graph-wrap'), model = graphModel(rows);
    var box = layout(model.groups, Math.max(600, wrap.clientWidth - 20));
    var svg = sv('svg', { id: 'graph', width: box.width * state.zoom, height: box.height * state.zoom, viewBox: '0 0 ' + box.width + ' ' + box.height, role: 'img', 'aria-label': 'reachability graph' });
    // Past a few hundred edges the passes fade, so leaks and broken paths stand out of the mass.
    if (model.edges.length > 150) svg.setAttribute('class', 'many');
    svg.appendChild(markers());
    box.boxes.forEach(function (b) { drawGroup(svg, b); });
    model.edges.sort(function (a, b) { return RANK[worst(b.results)] - RANK[worst(a.results)]; });
    model.edges.forEach(function (e) { drawEdge(svg, e, box.pos); });
    box.boxes.forEach(function (b) { drawGroupHead(svg, b); });
    var touching = {};
    model.edges.forEach(function (e) { [e.from, e.to].forEach(function (k) { (touching[k] = touching[k] || []).push.apply(touching[k], e.results); }); });
    Object.keys(box.pos).forEach(function (k) { drawNode(svg, k, box.pos[k], uniqRows(touching[k] || [])); });
    wrap.replaceChildren(svg);
  }
  function uniqRows(list) { var seen = {}; return list.filter(function (r) { if (seen[r.name]) return false; seen[r.name] = true; return true; }); }
  function graphView() {
    var many = N.length > 80;
    if (many) uniq(N.map(function (n) { return n.ns; })).forEach(function (ns) { state.collapsed[ns] = true; });
    var tools = el('div', { cls: 'note' }, [
      el('button', { id: 'expand-all', text: 'expand all', onclick: function () { state.collapsed = {}; update(); } }), ' ',
      el('button', { id: 'collapse-all', text: 'collapse all', onclick: function () { uniq(N.map(function (n) { return n.ns; })).forEach(function (ns) { state.collapsed[ns] = true; }); update(); } }), ' ',
      el('button', { id: 'zoom-in', text: '+', 'aria-label': 'zoom in', onclick: function () { state.zoom *= 1.25; update(); } }), ' ',
      el('button', { id: 'zoom-out', text: '−', 'aria-label': 'zoom out', onclick: function () { state.zoom /= 1.25; update(); } }), ' ',
      el('span', { cls: 'legend' }, STATUSES.map(function (st) { return el('span', { 'class': 'st-' + st }, [el('i'), LABEL[st]]); })),
      ' Click a namespace name to collapse or expand it, an edge or a node for its expectations.' + (many ? ' Namespaces start collapsed (' + N.length + ' workloads).' : ''),
    ]);
    return el('section', { cls: 'view', id: 'view-graph' }, [tools, el('div', { id: 'graph-wrap' })]);
  }

  // ---- truth table: sources x destinations, one chip per port ----
  var MAX_CELLS = 40000;
  function tableKeys(rows, byNs) {
    var key = byNs ? function (n) { return 'ns:' + n.ns; } : vkey;
    var rk = {}, ck = {}, cells = {};
    rows.forEach(function (r) {
      var a = key(N[r.s]), b = key(N[r.d]);
      rk[a] = N[r.s]; ck[b] = N[r.d];
      (cells[a + '>' + b] = cells[a + '>' + b] || []).push(r);
    });
    function sorted(map) { return Object.keys(map).sort(function (x, y) { var p = keyName(x, map[x]), q = keyName(y, map[y]); return p < q ? -1 : p > q ? 1 : 0; }); }
    return { rows: sorted(rk), cols: sorted(ck), rk: rk, ck: ck, cells: cells };
  }
  function keyName(k, n) { return k.slice(0, 3) === 'ns:' ? '~' + nsName(n.ns) : (n.ns === '' ? '~~' : '') + fullName(n); }
  function keyLabel(k, n) { return k.slice(0, 3) === 'ns:' ? nsName(n.ns) + ' (all)' : fullName(n); }
  function mark(v) { return v === 'allowed' || v === 'allow' ? '✓' : v === 'denied' || v === 'deny' ? '✗' : '?'; }
  function chip(port, list) {
    var st = worst(list), r = list[0], sub;
    if (list.length === 1 && MATRIX) sub = r.status === 'inconclusive' ? 'unknown' : PREDICTED ? 'p' + mark(r.predicted) : 'o' + mark(r.observed);
    else if (list.length === 1) sub = 'e' + mark(r.expect) + (r.predicted ? ' p' + mark(r.predicted) : '') + (r.outcome === 'not-run' ? '' : ' o' + mark(r.observed));
    else sub = '×' + list.length + ' ' + countsLine(list);
    var c = el('span', { 'class': 'chip st-' + st, 'data-port': port, 'data-status': st, tabindex: 0, role: 'button', title: list.map(function (x) { return x.status + ': ' + x.name; }).join('\n') }, [port, el('small', { text: sub })]);
    activate(c, function () { details(r.source + ' → ' + r.destination + ' ' + port, list); });
    return c;
  }
  function cell(list) {
    var byPort = {}, order = [];
    list.forEach(function (r) { var p = portOf(r); if (!byPort[p]) { byPort[p] = []; order.push(p); } byPort[p].push(r); });
    return el('td', {}, order.map(function (p) { return chip(p, byPort[p]); }));
  }
  function renderTable(rows) {
    var t = tableKeys(rows, false), byNs = false;
    if (t.rows.length * t.cols.length > MAX_CELLS) { t = tableKeys(rows, true); byNs = true; }
    var head = el('tr', {}, [el('th', { text: 'from \\ to' })].concat(t.cols.map(function (k) { return el('th', { scope: 'col', text: keyLabel(k, t.ck[k]) }); })));
    var body = t.rows.map(function (a) {
      return el('tr', {}, [el('th', { scope: 'row', text: keyLabel(a, t.rk[a]) })].concat(t.cols.map(function (b) { var l = t.cells[a + '>' + b]; return l ? cell(l) : el('td'); })));
    });
    var note = 'Each cell: one chip per port, coloured by its worst status; e = expected, p = predicted (policy engine), o = observed; ✓ allowed, ✗ denied, ? unknown.';
    if (byNs) note += ' Grouped by namespace (' + t.rows.length + ' × ' + t.cols.length + '): pick a namespace or search to see workloads.';
    $('table-note').textContent = note;
    $('table-wrap').replaceChildren(el('table', { cls: 'tt', id: 'truth-table' }, [el('thead', {}, [head]), el('tbody', {}, body)]));
  }
  function tableView() { return el('section', { cls: 'view', id: 'view-table' }, [el('p', { cls: 'note', id: 'table-note' }), el('div', { id: 'table-wrap' })]); }

  // ---- list ----
  var LIST_MAX = 2000;
  function renderList(rows) {
    var sorted = rows.slice().sort(function (a, b) { return RANK[a.status] - RANK[b.status]; }).slice(0, LIST_MAX);
    var body = sorted.map(function (r) {
      var tr = el('tr', { 'class': 'st-' + r.status, tabindex: 0 }, [el('td', {}, [el('span', { 'class': 'badge', text: LABEL[r.status] })]), el('td', { text: r.name }), el('td', { text: fullName(N[r.s]) }), el('td', { text: fullName(N[r.d]) }), el('td', { text: portOf(r) }), el('td', { text: 'expected ' + r.expect + ', observed ' + r.observed + ' (' + r.outcome + ')' })]);
      activate(tr, function () { details(r.name, [r]); });
      return tr;
    });
    var head = el('tr', {}, ['status', 'expectation', 'from', 'to', 'port', 'expected / observed'].map(function (h) { return el('th', { text: h }); }));
    $('list-note').textContent = rows.length > LIST_MAX ? 'First ' + LIST_MAX + ' of ' + rows.length + ', worst first: filter to see the rest.' : '';
    $('list-wrap').replaceChildren(el('table', { cls: 'list', id: 'result-list' }, [el('thead', {}, [head]), el('tbody', {}, body)]));
  }
  function listView() { return el('section', { cls: 'view', id: 'view-list' }, [el('p', { cls: 'note', id: 'list-note' }), el('div', { id: 'list-wrap' })]); }

  // ---- details ----
  function copy(text, button) {
    function done(ok) { button.textContent = ok ? 'copied' : 'copy failed'; setTimeout(function () { button.textContent = button.getAttribute('data-label'); }, 1500); }
    function fallback() {
      var t = el('textarea', { style: 'position:fixed;left:-9999px' }); t.value = text; document.body.appendChild(t); t.select();
      var ok = false; try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      t.remove(); done(ok);
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(function () { done(true); }, fallback);
    else fallback();
  }
  function copyButton(label, text, cls) { var b = el('button', { 'class': 'copy ' + (cls || ''), 'data-label': label, text: label }); b.addEventListener('click', function () { copy(text, b); }); return b; }
  function field(dl, name, value) { if (value === undefined || value === null || value === '') return; dl.appendChild(el('dt', { text: name })); dl.appendChild(el('dd', { 'data-field': name, text: String(value) })); }
  function resultBlock(r) {
    var dl = el('dl');
    field(dl, 'path', r.source + ' → ' + r.destination + ':' + r.port + '/' + r.protocol);
    if (!MATRIX) field(dl, 'expected', r.expect);
    if (r.outcome === 'not-run' && r.attempts === 0) field(dl, 'observed', 'not probed');
    else field(dl, 'observed', r.observed + ' (' + r.outcome + (r.httpStatus ? ' ' + r.httpStatus : '') + '), ' + plural(r.attempts, 'attempt', 'attempts') + ', ' + r.durationMs + ' ms');
    field(dl, 'predicted', r.predicted);
    field(dl, 'why', r.detail);
    field(dl, 'to decide', r.decideBy);
    field(dl, 'policies', (r.policies || []).join('\n'));
    field(dl, 'suite', r.suite + ' · ' + r.location);
    field(dl, 'tags', (r.tags || []).join(', '));
    var kids = [el('div', {}, [el('span', { 'class': 'badge', text: LABEL[r.status] }), ' ', el('b', { 'class': 'rname', text: r.name })]), dl];
    if (r.reproduce) kids.push(el('div', { cls: 'note', text: 'reproduce' }), el('pre', { 'class': 'reproduce', text: r.reproduce }), copyButton('copy command', r.reproduce));
    return el('div', { 'class': 'res st-' + r.status, 'data-name': r.name }, kids);
  }
  function details(title, list) {
    var sorted = list.slice().sort(function (a, b) { return RANK[a.status] - RANK[b.status]; });
    var cmds = sorted.filter(function (r) { return r.reproduce; }).map(function (r) { return '# ' + r.name + ' (' + r.status + ')\n' + r.reproduce; }).join('\n\n');
    var clean = sorted.map(function (r) { var o = {}; Object.keys(r).forEach(function (k) { if (k !== 'hay' && k !== 's' && k !== 'd') o[k] = r[k]; }); return o; });
    var aside = $('details');
    aside.replaceChildren(
      el('button', { cls: 'close', id: 'details-close', text: 'close ✕', onclick: function () { aside.hidden = true; } }),
      el('h2', { id: 'details-title', text: title }),
      el('div', { cls: 'note', id: 'details-counts', text: plural(sorted.length, NOUN[0], NOUN[1]) + ': ' + countsLine(sorted) }),
      el('div', {}, [cmds ? copyButton('copy all reproduce commands', cmds) : null, ' ', copyButton('copy as JSON', JSON.stringify(clean, null, 2))]));
    sorted.forEach(function (r) { aside.appendChild(resultBlock(r)); });
    aside.hidden = false;
    aside.scrollTop = 0;
  }

  // ---- wiring ----
  function update() {
    var rows = R.filter(shown), c = countBy(rows);
    STATUSES.forEach(function (st) { $('shown-' + st).textContent = ' ' + c[st]; });
    $('shown').textContent = 'showing ' + rows.length + ' of ' + plural(R.length, NOUN[0], NOUN[1]);
    ['graph', 'table', 'list'].forEach(function (t) { $('view-' + t).hidden = t !== state.tab; $('tab-' + t).setAttribute('aria-selected', String(t === state.tab)); });
    if (state.tab === 'graph') renderGraph(rows);
    else if (state.tab === 'table') renderTable(rows);
    else renderList(rows);
    // For tests and bench/html-render.ts: the page is drawn, and when (ms since navigation started).
    if (!document.body.hasAttribute('data-ready')) document.body.setAttribute('data-first-render-ms', String(Math.round(performance.now())));
    document.body.setAttribute('data-ready', 'true');
  }
  if (MATRIX) document.body.className = 'matrix';
  document.body.appendChild(header());
  document.body.appendChild(filters());
  document.body.appendChild(el('main', {}, [graphView(), tableView(), listView()]));
  document.body.appendChild(el('aside', { id: 'details', hidden: true, 'aria-label': 'details' }));
  document.addEventListener('keydown', function (ev) { if (ev.key === 'Escape') $('details').hidden = true; });
  window.addEventListener('resize', function () { if (state.tab === 'graph') update(); });
  update();
})();
`;
