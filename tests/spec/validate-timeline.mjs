#!/usr/bin/env node
// Validates tsp-bridge's timeline documents against their JSON Schema
// (spec/timeline/timeline-v1.schema.json, draft 2020-12) with ajv, and
// checks that the flat and node-graph forms agree with the document.
//
//   node validate-timeline.mjs --schema PATH --base http://127.0.0.1:PORT \
//        --from MS --to MS                 (a bridge in front of tspsim)
//   node validate-timeline.mjs --schema PATH --self-test   (no server)
//
// One line per check ("ok - ..." / "not ok - ..."), then a count; exit 1 on failure.

import fs from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const args = {};
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--self-test') args.selfTest = true;
  else if (a.startsWith('--')) args[a.slice(2)] = process.argv[++i];
}
if (!args.schema || (!args.selfTest && (!args.base || !args.from || !args.to))) {
  console.error('usage: validate-timeline.mjs --schema PATH (--base URL --from MS --to MS | --self-test)');
  process.exit(2);
}

const schema = JSON.parse(fs.readFileSync(args.schema, 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validate = ajv.compile(schema);

let passed = 0, failed = 0;
function check(name, ok, why) {
  if (ok) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}: ${why}`);
  }
}
function valid(name, doc) {
  const ok = validate(doc);
  check(name, ok, ok ? '' : ajv.errorsText(validate.errors, { separator: '; ' }).slice(0, 1500));
  return ok;
}

/* Every field documented in the schema itself. */
function undocumented(node, path, out) {
  if (node && typeof node === 'object') {
    if (node.properties)
      for (const [k, v] of Object.entries(node.properties))
        if (!v.description) out.push(`${path}.${k}`);
    for (const [k, v] of Object.entries(node))
      if (v && typeof v === 'object') undocumented(v, `${path}.${k}`, out);
  }
  return out;
}

function selfTest() {
  const doc = {
    schema: 'tsp-bridge/timeline', version: 1,
    source: { experiment: { uuid: 'u', name: 'kernel' }, output: { id: 'o', name: 'Thread Status', type: 'TIME_GRAPH' },
      range: { start_ns: '1700000000500644597', end_ns: '1700000001500644597', start_ms: 1700000000500, end_ms: 1700000001500 },
      width: 100, status: 'COMPLETED', statusMessage: '' },
    rows: [{ id: 1, parentId: null, name: 'bash', labels: ['bash', '316'], metadata: { tid: [316] } }],
    states: [{ row: 1, start_ns: '1700000000500644597', end_ns: '1700000000600000000', start_ms: 1700000000500,
      end_ms: 1700000000600, value: 'Running', label: null, style: 'USERMODE' }],
    events: [], links: [],
    styles: { USERMODE: { name: 'Running', color: '#00c800', height: 1, parent: 'STATE' } },
  };
  valid('accepts a good document', doc);
  const bad = (name, mutate) => {
    const d = structuredClone(doc);
    mutate(d);
    check(`rejects ${name}`, !validate(d), 'it validated');
  };
  bad('ns as a JSON number', (d) => { d.states[0].start_ns = 1700000000500644597; });
  bad('a missing end', (d) => { delete d.states[0].end_ns; });
  bad('an unknown member', (d) => { d.rows[0].colour = 'red'; });
  bad('a colour that is not #rrggbb', (d) => { d.styles.USERMODE.color = 'green'; });
  bad('another version', (d) => { d.version = 2; });
  bad('ms as a string', (d) => { d.states[0].start_ms = '1700000000500'; });
  const missing = undocumented(schema, '$', []);
  check('every property is described in the schema', missing.length === 0, missing.join(', '));
}

async function get(path) {
  const r = await fetch(args.base + path);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

async function live() {
  const q = (extra, from = args.from, to = args.to) =>
    `?experiment=kernel&output=Thread%20Status&from=${from}&to=${to}&width=800${extra}`;
  const served = await get('/timeline/schema');
  check('the served schema is the repo\'s', JSON.stringify(served) === JSON.stringify(schema), 'they differ');

  const full = await get('/timeline' + q(''));
  valid('the whole output validates', full);
  check('it has rows, states and links', full.rows.length > 1 && full.states.length > 0 && full.links.length > 0,
    `${full.rows.length} rows, ${full.states.length} states, ${full.links.length} links`);
  valid('a row filter by name validates', await get('/timeline' + q('&rows=sshd,bash')));
  valid('a row filter by regex validates', await get('/timeline' + q('&row_re=^kworker')));
  const empty = await get('/timeline' + q('', 1000, 2000));
  valid('an empty range validates', empty);
  check('an empty range has no states', empty.states.length === 0 && empty.links.length === 0, 'it has some');
  const nostates = await get('/timeline' + q('&row_ids=0'));
  valid('a row with no states validates', nostates);
  check('the row with no states is listed without states', nostates.rows.length === 1 && nostates.states.length === 0,
    `${nostates.rows.length} rows, ${nostates.states.length} states`);

  // The flat and node-graph forms agree with the document.
  const [rows, states, links, events, nodes, edges] = await Promise.all(
    ['rows', 'states', 'links', 'events', 'nodes', 'edges'].map((f) => get(`/timeline/${f}` + q(''))));
  check('flat rows = document rows', rows.length === full.rows.length && rows.every((r, i) => r.id === full.rows[i].id),
    `${rows.length} vs ${full.rows.length}`);
  check('flat states = document states', states.length === full.states.length &&
    states.every((s, i) => s.start_ns === full.states[i].start_ns && s.end_ns === full.states[i].end_ns &&
      s.row === full.states[i].row && s.start === full.states[i].start_ms && s.value === full.states[i].value),
  `${states.length} vs ${full.states.length}`);
  check('flat links = document links', links.length === full.links.length &&
    links.every((l, i) => l.source === full.links[i].source && l.target === full.links[i].target &&
      l.start_ns === full.links[i].start_ns), `${links.length} vs ${full.links.length}`);
  check('flat events = document events', events.length === full.events.length, `${events.length} vs ${full.events.length}`);
  const edgeSum = edges.reduce((n, e) => n + e.mainstat, 0);
  check('edges count every link once', edgeSum === full.links.length, `${edgeSum} vs ${full.links.length}`);
  const pairs = new Set(full.links.map((l) => `${l.source}-${l.target}`));
  check('one edge per linked pair', edges.length === pairs.size && edges.every((e) => pairs.has(e.id)),
    `${edges.length} edges, ${pairs.size} pairs`);
  const outs = nodes.reduce((n, x) => n + x.mainstat, 0), ins = nodes.reduce((n, x) => n + x.secondarystat, 0);
  check('nodes count links out and in', outs === full.links.length && ins === full.links.length, `${outs}/${ins}`);
  const ids = new Set(nodes.map((n) => n.id));
  check('every edge joins two nodes', edges.every((e) => ids.has(e.source) && ids.has(e.target)), 'a dangling edge');
}

try {
  if (args.selfTest) selfTest();
  else await live();
} catch (e) {
  check('requests', false, e.message);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
