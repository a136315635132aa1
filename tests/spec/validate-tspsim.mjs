#!/usr/bin/env node
// Checks a running tspsim against the TSP OpenAPI spec (spec/tsp/API.yaml).
//
//   node validate-tspsim.mjs --base http://127.0.0.1:PORT/tsp/api --spec PATH/API.yaml
//                            [--running-polls K]   (what tspsim was started with, default 2)
//   node validate-tspsim.mjs --spec PATH/API.yaml --self-test   (no server needed)
//
// Every request is matched to the spec operation (path template + method) it
// exercises. The request body must be valid against the operation's
// requestBody schema (or deliberately invalid, for 400 probes), the answer's
// status must be one the operation declares, and the answer body must be
// valid against the schema declared for that status. A request outside the
// spec must be answered 404/405 with an error body. One line per check, then
// "N passed, M failed"; the exit status is 1 when anything failed.

import fs from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

// ---- arguments ----

const args = { base: null, spec: null, runningPolls: 2, selfTest: false };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--base') args.base = process.argv[++i];
  else if (a === '--spec') args.spec = process.argv[++i];
  else if (a === '--running-polls') args.runningPolls = Number(process.argv[++i]);
  else if (a === '--self-test') args.selfTest = true;
  else {
    console.error(`unknown argument ${a}`);
    process.exit(2);
  }
}
if (!args.spec || (!args.base && !args.selfTest)) {
  console.error('usage: validate-tspsim.mjs --base URL --spec API.yaml [--running-polls K] | --spec API.yaml --self-test');
  process.exit(2);
}
args.base = args.base?.replace(/\/+$/, '');

// ---- reporting ----

let passed = 0;
let failed = 0;
function report(ok, name, why) {
  if (ok) {
    passed++;
    console.log(`ok ${passed + failed} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${passed + failed} - ${name}: ${why}`);
  }
  return ok;
}
function expect(cond, name, why) {
  return report(Boolean(cond), name, why ?? 'expectation failed');
}

// ---- the spec ----

const SPEC_ID = 'tsp-api';
const doc = YAML.parse(fs.readFileSync(args.spec, 'utf8'));

// Errata: two schemas of API.yaml contradict themselves. StyleValue and
// MetadataValue are `type: object` with `oneOf: [string, number, integer]`
// (swagger's rendering of Java's Object), which no JSON value satisfies, and
// an integer matches both `number` and `integer`, which breaks `oneOf`. The
// intent (and what real servers send, e.g. "height": 0.33, "opacity": 1.0)
// is "a string or a number": the patch drops `type: object` and turns the
// `oneOf` into `anyOf`. The self-test checks objects, booleans and arrays are
// still rejected. Nothing else of the spec is changed.
const errata = [];
for (const [name, s] of Object.entries(doc.components.schemas)) {
  if (s.type === 'object' && Array.isArray(s.oneOf) && s.oneOf.every((b) => b.type && b.type !== 'object')) {
    delete s.type;
    s.anyOf = s.oneOf;
    delete s.oneOf;
    errata.push(name);
  }
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv);
// OpenAPI's number formats; JSON.parse rounds int64 beyond 2^53, so only the range is checked.
ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 63) && n <= 2 ** 63 });
ajv.addFormat('double', { type: 'number', validate: () => true });
// OpenAPI annotation keyword inside schemas, and the document's own top-level members,
// so the whole document can be registered and referenced by JSON pointer.
for (const k of ['example', 'openapi', 'info', 'servers', 'tags', 'paths', 'components']) ajv.addKeyword(k);
ajv.addSchema(doc, SPEC_ID);

// Inline schemas (e.g. `type: array, items: {$ref}`) get their refs pointed at the document.
function absolutize(schema) {
  if (Array.isArray(schema)) return schema.map(absolutize);
  if (schema && typeof schema === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#') ? SPEC_ID + v : absolutize(v);
    }
    return out;
  }
  return schema;
}

const compiled = new Map();
function validator(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) compiled.set(key, ajv.compile(absolutize(schema)));
  return compiled.get(key);
}
function schemaErrors(schema, value) {
  const v = validator(schema);
  if (v(value)) return null;
  return ajv.errorsText(v.errors, { dataVar: 'body' });
}
const ref = (name) => ({ $ref: `#/components/schemas/${name}` });

// Operations: path templates to regexes; more literal segments win (markerSets over {outputId}).
const operations = [];
for (const [template, item] of Object.entries(doc.paths)) {
  const segs = template.split('/').filter(Boolean);
  const re = new RegExp('^/' + segs.map((s) => (s.startsWith('{') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
  const literals = segs.filter((s) => !s.startsWith('{')).length;
  for (const method of Object.keys(item)) {
    if (['get', 'post', 'put', 'delete', 'patch'].includes(method)) {
      operations.push({ template, method: method.toUpperCase(), re, literals, op: item[method] });
    }
  }
}
function findOperation(method, path) {
  const matches = operations.filter((o) => o.re.test(path));
  if (!matches.length) return { op: null, pathKnown: false };
  matches.sort((a, b) => b.literals - a.literals);
  const best = matches[0].literals;
  const op = matches.find((o) => o.method === method && o.literals === best) ?? matches.find((o) => o.method === method);
  return { op: op ?? null, pathKnown: true };
}
function jsonSchemaOf(content) {
  return content?.['application/json']?.schema ?? null;
}

// ---- HTTP ----

async function http(method, path, body, { raw = false, query = '' } = {}) {
  const url = path.startsWith('/_sim') ? new URL(path, args.base).href : args.base + path + query;
  const init = { method, signal: AbortSignal.timeout(120000), headers: {} };
  if (body !== undefined) {
    init.body = raw ? body : JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json, headers: res.headers };
}

// One exchange, checked against the spec. opts.bodyValid: true (default) | false | 'any';
// opts.status: expected status (checked in addition to being declared).
async function call(name, method, path, body, opts = {}) {
  const { op, pathKnown } = findOperation(method, path);
  const tag = op ? `${method} ${op.template}` : `${method} ${path}${opts.query ?? ''}`;
  if (op && body !== undefined && !opts.raw) {
    const schema = jsonSchemaOf(op.op.requestBody?.content);
    const errs = schema ? schemaErrors(schema, body) : 'the operation takes no body';
    const want = opts.bodyValid ?? true;
    if (want === true) report(!errs, `${name}: request body valid for ${method} ${op.template}`, errs);
    else if (want === false) report(Boolean(errs), `${name}: request body is invalid per spec, as intended`, 'it validates');
  }
  let res;
  try {
    res = await http(method, path, body, { raw: opts.raw, query: opts.query ?? '' });
  } catch (e) {
    report(false, `${name}: ${tag}`, `transport error: ${e.message}`);
    return { status: 0 };
  }
  if (opts.status !== undefined) {
    report(res.status === opts.status, `${name}: ${tag} answers ${opts.status}`, `got ${res.status}: ${res.text.slice(0, 300)}`);
  }
  if (!op) {
    // Off-spec request: only an error answer is acceptable.
    const want = pathKnown ? 405 : 404;
    report(res.status === want && res.json && typeof res.json.title === 'string',
      `${name}: ${tag} is not in the spec and answers ${want} with an error body`,
      `got ${res.status}: ${res.text.slice(0, 300)}`);
    return res;
  }
  const declared = op.op.responses?.[String(res.status)];
  if (!report(Boolean(declared), `${name}: status ${res.status} is declared for ${method} ${op.template}`,
    `declared: ${Object.keys(op.op.responses ?? {}).join(', ')}; body: ${res.text.slice(0, 300)}`)) {
    return res;
  }
  const schema = jsonSchemaOf(declared.content);
  if (schema) {
    if (res.json === undefined) {
      report(false, `${name}: ${res.status} body is JSON`, res.text.slice(0, 300));
    } else {
      const errs = schemaErrors(schema, res.json);
      report(!errs, `${name}: ${res.status} body valid against the spec`, `${errs}\n    body: ${res.text.slice(0, 400)}`);
    }
  }
  return res;
}

// ---- self-test: the checker must reject what is wrong ----

function selfTest() {
  const state = { start: 1700000000000000001, end: 1700000000000000009, style: { parentKey: 'USERMODE', values: {} } };
  const good = { status: 'COMPLETED', statusMessage: 'Completed', model: { rows: [{ entryId: 1, states: [state] }] } };
  const noEnd = structuredClone(good);
  delete noEnd.model.rows[0].states[0].end;
  expect(!schemaErrors(ref('TimeGraphStatesResponse'), good), 'self-test: a correct states answer validates',
    schemaErrors(ref('TimeGraphStatesResponse'), good));
  expect(schemaErrors(ref('TimeGraphStatesResponse'), noEnd), 'self-test: a state without end is rejected', 'accepted');
  const badStatus = structuredClone(good);
  badStatus.status = 'DONE';
  expect(schemaErrors(ref('TimeGraphStatesResponse'), badStatus), 'self-test: an unknown status is rejected', 'accepted');
  const fracStart = structuredClone(good);
  fracStart.model.rows[0].states[0].start = 1.5;
  expect(schemaErrors(ref('TimeGraphStatesResponse'), fracStart), 'self-test: a fractional int64 is rejected', 'accepted');

  const series = {
    seriesId: 1, seriesName: 's', xValues: [1, 2], yValues: [0.5, 1], style: { values: { 'series-type': 'line' } },
    xValuesDescription: { label: 'Time', unit: 'ns', dataType: 'TIMESTAMP' },
    yValuesDescription: { label: 'CPU', unit: '%', dataType: 'NUMBER' },
  };
  const xy = { status: 'RUNNING', statusMessage: 'Running', model: { title: 't', series: [series] } };
  expect(!schemaErrors(ref('XYResponse'), xy), 'self-test: a correct XY answer validates', schemaErrors(ref('XYResponse'), xy));
  const noDesc = structuredClone(xy);
  delete noDesc.model.series[0].yValuesDescription;
  expect(schemaErrors(ref('XYResponse'), noDesc), 'self-test: a series without yValuesDescription is rejected', 'accepted');

  const styles = (v) => ({ status: 'COMPLETED', statusMessage: 'Completed', model: { styles: { K: { values: { x: v } } } } });
  for (const v of ['#00c800', 0.33, 1]) {
    expect(!schemaErrors(ref('StylesResponse'), styles(v)), `self-test: style value ${JSON.stringify(v)} validates`,
      schemaErrors(ref('StylesResponse'), styles(v)));
  }
  for (const v of [{ a: 1 }, true, [1], null]) {
    expect(schemaErrors(ref('StylesResponse'), styles(v)), `self-test: style value ${JSON.stringify(v)} is rejected`, 'accepted');
  }
  expect(schemaErrors(ref('ErrorResponse'), { detail: 'no title' }), 'self-test: an error without title is rejected', 'accepted');
  expect(schemaErrors(ref('Experiment'), { UUID: 'not-a-uuid', name: 'e', start: 0, end: 0, nbEvents: 0, indexingStatus: 'COMPLETED', traces: [] }),
    'self-test: a malformed UUID is rejected', 'accepted');

  const h = findOperation('GET', '/health');
  expect(h.op && h.op.op.responses['200'] && !h.op.op.responses['201'], 'self-test: GET /health declares 200 but not 201', 'lookup wrong');
  const ms = findOperation('GET', '/experiments/e/outputs/markerSets');
  expect(ms.op?.template === '/experiments/{expUUID}/outputs/markerSets', 'self-test: markerSets wins over {outputId}', ms.op?.template);
  expect(!findOperation('GET', '/nosuch').op && !findOperation('GET', '/nosuch').pathKnown, 'self-test: an unknown path has no operation', 'found one');
  const wrongMethod = findOperation('GET', '/experiments/e/outputs/XY/o/xy');
  expect(!wrongMethod.op && wrongMethod.pathKnown, 'self-test: GET on a POST-only path has no operation', 'found one');
  const arrowsBody = jsonSchemaOf(findOperation('POST', '/experiments/e/outputs/timeGraph/o/arrows').op.op.requestBody.content);
  expect(schemaErrors(arrowsBody, { parameters: {} }), 'self-test: arrows without requested_timerange is an invalid request', 'accepted');
}

// ---- the walk over tspsim ----

const OUT = {
  xy: 'org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider',
  tg: 'org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ThreadStatusDataProvider',
  table: 'org.eclipse.tracecompass.internal.provisional.tmf.core.model.events.TmfEventTableDataProvider',
  stats: 'org.eclipse.tracecompass.internal.tmf.core.statistics.provider.TmfStatisticsDataProvider',
};

// The kernel analyses (docs/kernel-analyses.md).
const SYSCALLS = 'org.eclipse.tracecompass.analysis.os.linux.latency.syscall';
const KOUT = {
  resources: ['TIME_GRAPH', 'org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ResourcesStatusDataProvider'],
  scatter: ['TREE_TIME_XY', `org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.scatter.dataprovider:${SYSCALLS}`],
  latstats: ['DATA_TREE', `org.eclipse.tracecompass.analysis.timing.core.segmentstore.SegmentStoreStatisticsDataProvider:${SYSCALLS}`],
  density: ['TREE_GENERIC_XY', `org.eclipse.tracecompass.internal.analysis.timing.core.segmentstore.SegmentStoreDensityDataProvider:${SYSCALLS}`],
  disk: ['TREE_TIME_XY', 'org.eclipse.tracecompass.analysis.os.linux.core.inputoutput.DisksIODataProvider'],
  memory: ['TREE_TIME_XY', 'org.eclipse.tracecompass.analysis.os.linux.core.kernelmemoryusage'],
  critpath: ['TIME_GRAPH', 'org.eclipse.tracecompass.analysis.graph.core.dataprovider.CriticalPathDataProvider'],
  lattable: ['TABLE', `org.eclipse.tracecompass.analysis.timing.core.segmentstore.SegmentStoreTableDataProvider:${SYSCALLS}`],
};

// tspsim's own control endpoints (outside the TSP API, not checked against the spec).
async function control(method, path, body) {
  const res = await http(method, path, body);
  report(res.status === 200, `control: ${method} ${path}`, `got ${res.status}: ${res.text.slice(0, 200)}`);
  return res;
}

// Polls until COMPLETED; after a reset of tspsim's counters the first K answers must be RUNNING.
async function pollData(name, path, body) {
  const seen = [];
  await control('POST', '/_sim/reset');
  let res;
  for (let i = 0; i < args.runningPolls + 3; i++) {
    res = await call(`${name} (poll ${i + 1})`, 'POST', path, body, { status: 200 });
    const st = res.json?.status;
    seen.push(st);
    if (st === 'COMPLETED') break;
  }
  const expected = Array(args.runningPolls).fill('RUNNING').concat(['COMPLETED']);
  expect(JSON.stringify(seen) === JSON.stringify(expected), `${name}: ${args.runningPolls} RUNNING answer(s), then COMPLETED`,
    `statuses were ${JSON.stringify(seen)}`);
  return res;
}

async function walk() {
  const nil = '00000000-0000-4000-8000-000000000000';

  await call('health', 'GET', '/health', undefined, { status: 200 });
  await call('identifier', 'GET', '/identifier', undefined, { status: 200 });

  // traces
  const traces = await call('list traces', 'GET', '/traces', undefined, { status: 200 });
  const kernel = traces.json?.find?.((t) => t.name === 'kernel');
  expect(kernel, 'the start-up trace "kernel" exists', JSON.stringify(traces.json)?.slice(0, 200));
  if (!kernel) return;
  await call('get trace', 'GET', `/traces/${kernel.UUID}`, undefined, { status: 200 });
  await call('unknown trace', 'GET', `/traces/${nil}`, undefined, { status: 404 });
  await call('delete unknown trace', 'DELETE', `/traces/${nil}`, undefined, { status: 404 });
  const other = await call('open trace', 'POST', '/traces', { parameters: { uri: '/traces/other', name: 'other' } }, { status: 200 });
  const again = await call('open the same trace again', 'POST', '/traces', { parameters: { uri: '/traces/other', name: 'other' } }, { status: 200 });
  expect(other.json?.UUID && other.json.UUID === again.json?.UUID, 'reopening gives the same trace', `${other.json?.UUID} vs ${again.json?.UUID}`);
  await call('open a trace whose name exists with another uri', 'POST', '/traces', { parameters: { uri: '/elsewhere', name: 'other' } }, { status: 409 });
  await call('open a trace without uri', 'POST', '/traces', { parameters: { name: 'x' } }, { status: 400, bodyValid: false });
  await call('open a trace with a non-JSON body', 'POST', '/traces', '{"parameters":', { status: 400, raw: true });

  // experiments
  const exps = await call('list experiments', 'GET', '/experiments', undefined, { status: 200 });
  const exp = exps.json?.find?.((e) => e.name === 'kernel');
  expect(exp, 'the start-up experiment "kernel" exists', JSON.stringify(exps.json)?.slice(0, 200));
  if (!exp) return;
  await call('get experiment', 'GET', `/experiments/${exp.UUID}`, undefined, { status: 200 });
  await call('unknown experiment', 'GET', `/experiments/${nil}`, undefined, { status: 404 });
  const both = { parameters: { name: 'both', traces: [kernel.UUID, other.json?.UUID] } };
  const created = await call('create experiment', 'POST', '/experiments', both, { status: 200 });
  const recreated = await call('create the same experiment again', 'POST', '/experiments',
    { parameters: { name: 'both', traces: [other.json?.UUID, kernel.UUID] } }, { status: 200 });
  expect(created.json?.UUID && created.json.UUID === recreated.json?.UUID, 'same name and traces give the same experiment', 'UUIDs differ');
  expect(created.json?.nbEvents === kernel.nbEvents + other.json?.nbEvents, 'experiment nbEvents is the sum of its traces', JSON.stringify(created.json)?.slice(0, 200));
  await call('create an experiment whose name exists with other traces', 'POST', '/experiments',
    { parameters: { name: 'both', traces: [kernel.UUID] } }, { status: 409 });
  await call('create an experiment with an unknown trace', 'POST', '/experiments',
    { parameters: { name: 'ghost', traces: [nil] } }, { status: 404 });
  await call('create an experiment without traces', 'POST', '/experiments', { parameters: { name: 'x' } }, { status: 400, bodyValid: false });
  await call('delete a trace used by an experiment', 'DELETE', `/traces/${other.json?.UUID}`, undefined, { status: 409 });
  // A two-trace experiment: one root per trace, events of both.
  const eb = `/experiments/${created.json?.UUID}/outputs`;
  const bothTree = await pollData('two-trace time graph tree', `${eb}/timeGraph/${OUT.tg}/tree`, { parameters: {} });
  expect((bothTree.json?.model?.entries ?? []).filter((x) => x.parentId === -1).length === 2,
    'two-trace time graph tree has two roots', 'not two');
  const bothLines = await pollData('two-trace table lines', `${eb}/table/${OUT.table}/lines`,
    { parameters: { requested_table_index: 0, requested_table_count: 3 } });
  expect(bothLines.json?.model?.size === created.json?.nbEvents, 'two-trace table size is the experiment nbEvents',
    `${bothLines.json?.model?.size} vs ${created.json?.nbEvents}`);

  // outputs
  const e = `/experiments/${exp.UUID}/outputs`;
  const outs = await call('list outputs', 'GET', e, undefined, { status: 200 });
  const types = Object.fromEntries((outs.json ?? []).map((o) => [o.id, o.type]));
  expect(types[OUT.xy] === 'TREE_TIME_XY' && types[OUT.tg] === 'TIME_GRAPH' && types[OUT.table] === 'TABLE' && types[OUT.stats] === 'DATA_TREE',
    'outputs: CPU Usage, Thread Status, Events Table, Statistics', JSON.stringify(types));
  await call('get output', 'GET', `${e}/${OUT.tg}`, undefined, { status: 200 });
  await call('unknown output', 'GET', `${e}/no.such.output`, undefined, { status: 404 });
  await call('outputs of an unknown experiment', 'GET', `/experiments/${nil}/outputs`, undefined, { status: 404 });
  await call('create a derived output', 'POST', `${e}/${OUT.tg}`, { sourceTypeId: 'none', name: 'x', parameters: {} }, { status: 404 });
  await call('configuration types of an output', 'GET', `${e}/${OUT.tg}/configTypes`, undefined, { status: 200 });
  await call('unknown configuration type', 'GET', `${e}/${OUT.tg}/configTypes/none`, undefined, { status: 404 });
  await call('delete a derived output that does not exist', 'DELETE', `${e}/${OUT.tg}/none`, undefined, { status: 404 });

  const range = { start: exp.start, end: exp.end };

  // CPU Usage
  const xyTree = await pollData('XY tree', `${e}/XY/${OUT.xy}/tree`, { parameters: { requested_timerange: range } });
  const entries = xyTree.json?.model?.entries ?? [];
  const total = entries.find((x) => x.labels?.[0] === 'Total');
  const thread = entries.find((x) => x.parentId !== -1 && x.labels?.[0] !== 'Total');
  expect(total?.isDefault === true && thread, 'XY tree has Total (default) and thread entries', JSON.stringify(entries.slice(0, 3)));
  const xy = await pollData('XY', `${e}/XY/${OUT.xy}/xy`,
    { parameters: { requested_timerange: { ...range, nbTimes: 50 }, requested_items: [total?.id, thread?.id] } });
  const series = xy.json?.model?.series ?? [];
  expect(series.length === 2 && series.every((s) => s.xValues.length === 50 && s.yValues.length === 50),
    'XY honours nbTimes and requested_items', JSON.stringify(series.map((s) => [s.seriesId, s.xValues?.length])));
  await call('XY without requested_items', 'POST', `${e}/XY/${OUT.xy}/xy`, { parameters: { requested_timerange: range } }, { status: 400, bodyValid: false });
  await call('XY with nbTimes 0', 'POST', `${e}/XY/${OUT.xy}/xy`,
    { parameters: { requested_timerange: { ...range, nbTimes: 0 }, requested_items: [1] } }, { status: 400 });
  await call('XY with start after end', 'POST', `${e}/XY/${OUT.xy}/xy`,
    { parameters: { requested_timerange: { start: range.end, end: range.start }, requested_items: [1] } }, { status: 400 });
  await call('XY of a time graph output', 'POST', `${e}/XY/${OUT.tg}/xy`,
    { parameters: { requested_timerange: range, requested_items: [1] } }, { status: 404 });
  await call('XY of an unknown experiment', 'POST', `/experiments/${nil}/outputs/XY/${OUT.xy}/xy`,
    { parameters: { requested_timerange: range, requested_items: [1] } }, { status: 404 });
  await call('XY with a body that is not JSON', 'POST', `${e}/XY/${OUT.xy}/xy`, 'nope', { status: 400, raw: true });
  await call('XY with GET', 'GET', `${e}/XY/${OUT.xy}/xy`, undefined, { status: 405 });

  // Thread Status
  const tgTree = await pollData('time graph tree', `${e}/timeGraph/${OUT.tg}/tree`, { parameters: {} });
  const rows = (tgTree.json?.model?.entries ?? []).filter((x) => x.parentId !== -1).slice(0, 5).map((x) => x.id);
  expect(rows.length === 5, 'time graph tree has thread entries', JSON.stringify(rows));
  const states = await pollData('states', `${e}/timeGraph/${OUT.tg}/states`,
    { parameters: { requested_timerange: { ...range, nbTimes: 200 }, requested_items: rows } });
  expect(states.json?.model?.rows?.length === rows.length, 'states: one row per requested item', JSON.stringify(states.json?.model?.rows?.length));
  await call('states without requested_items', 'POST', `${e}/timeGraph/${OUT.tg}/states`,
    { parameters: { requested_timerange: range } }, { status: 400, bodyValid: false });
  await call('states with a string timestamp', 'POST', `${e}/timeGraph/${OUT.tg}/states`,
    { parameters: { requested_timerange: { start: 'x', end: range.end }, requested_items: rows } }, { status: 400, bodyValid: false });
  const arrows = await pollData('arrows', `${e}/timeGraph/${OUT.tg}/arrows`, { parameters: { requested_timerange: { ...range, nbTimes: 100 } } });
  expect((arrows.json?.model ?? []).length > 0, 'arrows: some in the full range', 'none');
  await call('arrows without requested_timerange', 'POST', `${e}/timeGraph/${OUT.tg}/arrows`, { parameters: {} }, { status: 400, bodyValid: false });
  const mid = exp.start + Math.floor((exp.end - exp.start) / 2);
  await pollData('tooltip', `${e}/timeGraph/${OUT.tg}/tooltip`,
    { parameters: { requested_times: [mid], requested_items: [rows[0]], requested_element: { elementType: 'STATE', time: mid, duration: 0 } } });
  const a0 = arrows.json?.model?.[0];
  if (a0) {
    await call('arrow tooltip', 'POST', `${e}/timeGraph/${OUT.tg}/tooltip`,
      { parameters: { requested_times: [a0.start], requested_items: [a0.sourceId], requested_element: { elementType: 'ARROW', time: a0.start, duration: 0, entryId: a0.sourceId, destinationId: a0.targetId } } }, { status: 200 });
  }
  await call('tooltip without requested_element', 'POST', `${e}/timeGraph/${OUT.tg}/tooltip`,
    { parameters: { requested_times: [mid], requested_items: [rows[0]] } }, { status: 400, bodyValid: false });

  // Events table
  const cols = await call('table columns', 'POST', `${e}/table/${OUT.table}/columns`, { parameters: {} }, { status: 200 });
  const colIds = (cols.json?.model ?? []).map((c) => c.id);
  expect(colIds.length >= 5, 'table has columns', JSON.stringify(colIds));
  const lines = await pollData('table lines', `${e}/table/${OUT.table}/lines`,
    { parameters: { requested_table_index: 10, requested_table_count: 20, requested_table_column_ids: colIds.slice(0, 3) } });
  expect(lines.json?.model?.lines?.length === 20 && lines.json.model.lowIndex === 10 && lines.json.model.lines.every((l) => l.cells.length === 3),
    'table lines honour index, count and column ids', JSON.stringify(lines.json?.model)?.slice(0, 200));
  await call('table lines by time', 'POST', `${e}/table/${OUT.table}/lines`,
    { parameters: { requested_times: [mid], requested_table_count: 5 } }, { status: 200 });
  await call('table lines without count', 'POST', `${e}/table/${OUT.table}/lines`,
    { parameters: { requested_table_index: 0 } }, { status: 400, bodyValid: false });
  await call('table lines with a negative index', 'POST', `${e}/table/${OUT.table}/lines`,
    { parameters: { requested_table_index: -1, requested_table_count: 5 } }, { status: 400 });

  // Statistics
  const stats = await pollData('data tree', `${e}/data/${OUT.stats}/tree`, { parameters: { requested_timerange: range } });
  expect((stats.json?.model?.entries ?? []).length > 2, 'statistics has entries', 'too few');
  await call('data tree without parameters', 'POST', `${e}/data/${OUT.stats}/tree`, {}, { status: 400, bodyValid: false });
  await call('generic XY tree (no such output here)', 'POST', `${e}/genericXY/${OUT.xy}/tree`, { parameters: {} }, { status: 404 });
  await call('generic XY (no such output here)', 'POST', `${e}/genericXY/${OUT.xy}/xy`,
    { parameters: { requested_timerange: { start: 0, end: 1, nbSamples: 2 }, requested_items: [1] } }, { status: 404 });

  await kernelAnalyses(e, types, range, mid, tgTree.json?.model?.entries ?? []);

  // Styles
  for (const [k, id] of Object.entries(OUT)) {
    await call(`styles of ${k}`, 'POST', `${e}/${id}/style`, { parameters: {} }, { status: 200 });
  }
  const tgStyles = await call('styles of the time graph', 'POST', `${e}/${OUT.tg}/style`, { parameters: {} }, { status: 200 });
  const used = new Set((states.json?.model?.rows ?? []).flatMap((r) => r.states.map((s) => s.style?.parentKey)));
  const defined = tgStyles.json?.model?.styles ?? {};
  expect([...used].every((k) => defined[k]), 'every state style key is defined in the style model', JSON.stringify([...used]));
  await call('styles without parameters', 'POST', `${e}/${OUT.tg}/style`, {}, { status: 400, bodyValid: false });

  // Annotations
  const sets = await call('marker sets', 'GET', `${e}/markerSets`, undefined, { status: 200 });
  const setId = sets.json?.model?.[0]?.id;
  await call('annotation categories', 'GET', `${e}/${OUT.tg}/annotations`, undefined, { status: 200, query: `?markerSetId=${setId}` });
  await call('annotation categories of an unknown output', 'GET', `${e}/none/annotations`, undefined, { status: 404 });
  const ann = await pollData('annotations', `${e}/${OUT.tg}/annotations`,
    { parameters: { requested_timerange: { ...range, nbTimes: 100 }, requested_marker_set: setId } });
  expect(Object.values(ann.json?.model?.annotations ?? {}).flat().length > 0, 'annotations: some in the full range', 'none');
  await call('annotations without requested_timerange', 'POST', `${e}/${OUT.tg}/annotations`, { parameters: {} }, { status: 400, bodyValid: false });

  // Clean-up paths
  await call('delete experiment', 'DELETE', `/experiments/${created.json?.UUID}`, undefined, { status: 200 });
  await call('delete it again', 'DELETE', `/experiments/${created.json?.UUID}`, undefined, { status: 404 });
  await call('delete the now unused trace', 'DELETE', `/traces/${other.json?.UUID}`, undefined, { status: 200 });
  await call('the deleted trace is gone', 'GET', `/traces/${other.json?.UUID}`, undefined, { status: 404 });

  // Off-spec requests
  await call('unknown path', 'GET', '/nosuch', undefined, { status: 404 });
  await call('wrong method on /health', 'DELETE', '/health', undefined, { status: 405 });
  // Bookmarks are not simulated; GET declares 404, so the answer is still checked like any other.
  await call('bookmarks are not simulated', 'GET', `/experiments/${exp.UUID}/bookmarks`, undefined, { status: 404 });
}

// Every kernel analysis: listed with its type, its tree and data endpoints answered per spec.
async function kernelAnalyses(e, types, range, mid, threads) {
  for (const [k, [type, id]] of Object.entries(KOUT)) {
    expect(types[id] === type, `outputs: ${k} is listed as ${type}`, JSON.stringify(types[id]));
    const st = await call(`styles of ${k}`, 'POST', `${e}/${id}/style`, { parameters: {} }, { status: 200 });
    KOUT[k].styles = st.json?.model?.styles ?? {};
  }
  const leaves = (tree) => (tree.json?.model?.entries ?? []).filter((x) => x.hasData && x.parentId !== -1).map((x) => x.id);
  const usedStyles = (res) => (res.json?.model?.rows ?? []).flatMap((r) => r.states.map((x) => x.style?.parentKey)).filter(Boolean);

  // Resources Status
  const [, res] = KOUT.resources;
  const rTree = await pollData('resources tree', `${e}/timeGraph/${res}/tree`, { parameters: {} });
  const rRows = leaves(rTree);
  expect(rRows.length >= 8 && (rTree.json?.model?.entries ?? []).some((x) => /^IRQ \d+$/.test(x.labels?.[0])),
    'resources tree has CPU and IRQ rows', JSON.stringify(rRows.length));
  const rStates = await pollData('resources states', `${e}/timeGraph/${res}/states`,
    { parameters: { requested_timerange: { ...range, nbTimes: 200 }, requested_items: rRows } });
  expect(rStates.json?.model?.rows?.length === rRows.length, 'resources states: one row per requested item', JSON.stringify(rStates.json?.model?.rows?.length));
  expect(usedStyles(rStates).every((k) => KOUT.resources.styles[k]), 'resources: every state style key is defined', JSON.stringify([...new Set(usedStyles(rStates))]));
  const rArrows = await pollData('resources arrows', `${e}/timeGraph/${res}/arrows`, { parameters: { requested_timerange: range } });
  expect(Array.isArray(rArrows.json?.model) && rArrows.json.model.length === 0, 'resources arrows: none, as TC', JSON.stringify(rArrows.json?.model)?.slice(0, 100));
  await pollData('resources tooltip', `${e}/timeGraph/${res}/tooltip`,
    { parameters: { requested_times: [mid], requested_items: [rRows[1]], requested_element: { elementType: 'STATE', time: mid, duration: 0 } } });

  // System Call Latency: scatter, statistics, density
  const [, sc] = KOUT.scatter;
  const scTree = await pollData('latency scatter tree', `${e}/XY/${sc}/tree`, { parameters: { requested_timerange: range } });
  const scLeaves = (scTree.json?.model?.entries ?? []).filter((x) => x.parentId !== -1 && !['fs', 'kernel', 'net', 'arch'].includes(x.labels?.[0])).map((x) => x.id);
  expect(scLeaves.length > 0, 'latency scatter tree has syscall entries', JSON.stringify(scLeaves));
  const scXy = await pollData('latency scatter', `${e}/XY/${sc}/xy`,
    { parameters: { requested_timerange: { ...range, nbTimes: 100 }, requested_items: scLeaves } });
  const scSeries = scXy.json?.model?.series ?? [];
  expect(scSeries.length === scLeaves.length && scSeries.every((x) => x.style?.values?.['series-type'] === 'scatter' && x.xValues.length === x.yValues.length),
    'latency scatter: one scatter series per syscall', JSON.stringify(scSeries.map((x) => [x.seriesId, x.xValues?.length])));
  const [, ls] = KOUT.latstats;
  const lsTree = await pollData('latency statistics', `${e}/data/${ls}/tree`, { parameters: { requested_timerange: range, isFiltered: true } });
  const lsHeads = (lsTree.json?.model?.headers ?? []).map((h) => h.name);
  expect(JSON.stringify(lsHeads) === JSON.stringify(['Label', 'Minimum', 'Maximum', 'Average', 'Std Dev', 'Count', 'Total', 'Min Time Range', 'Max Time Range']),
    'latency statistics headers as TC', JSON.stringify(lsHeads));
  expect((lsTree.json?.model?.entries ?? []).some((x) => x.labels?.[0] === 'Selection'), 'latency statistics: a Selection when filtered', 'none');
  const [, de] = KOUT.density;
  const deTree = await pollData('latency density tree', `${e}/genericXY/${de}/tree`, { parameters: { requested_timerange: range } });
  const deLeaves = leaves(deTree).filter((id) => scLeaves.includes(id));
  const deXy = await pollData('latency density', `${e}/genericXY/${de}/xy`,
    { parameters: { requested_timerange: { ...range, nbSamples: 20 }, requested_items: deLeaves } });
  const deSeries = deXy.json?.model?.series ?? [];
  expect(deSeries.length === deLeaves.length && deSeries.every((x) => x.xRanges?.length === 20 && x.yValues.length === 20 && x.xValuesDescription?.dataType === 'DURATION'),
    'latency density: nbSamples duration bins per syscall', JSON.stringify(deSeries.map((x) => [x.seriesId, x.xRanges?.length])));
  await call('density without requested_items', 'POST', `${e}/genericXY/${de}/xy`,
    { parameters: { requested_timerange: { ...range, nbSamples: 5 } } }, { status: 400, bodyValid: false });
  await call('density on the XY endpoint', 'POST', `${e}/XY/${de}/tree`, { parameters: {} }, { status: 404 });
  const [, lt] = KOUT.lattable;
  const ltCols = await call('latency table columns', 'POST', `${e}/table/${lt}/columns`, { parameters: {} }, { status: 200 });
  const ltNames = (ltCols.json?.model ?? []).map((c) => c.name);
  expect(ltNames[0] === 'Start Time' && ltNames.includes('Duration') && ltNames.includes('System Call'), 'latency table columns as TC', JSON.stringify(ltNames));
  const ltLines = await pollData('latency table lines', `${e}/table/${lt}/lines`, { parameters: { requested_table_index: 3, requested_table_count: 10 } });
  expect(ltLines.json?.model?.lines?.length === 10 && ltLines.json.model.lowIndex === 3 && ltLines.json.model.lines.every((l) => l.cells.length === ltNames.length),
    'latency table lines honour index and count', JSON.stringify(ltLines.json?.model)?.slice(0, 200));

  // Disk I/O and Memory Usage
  for (const k of ['disk', 'memory']) {
    const [, id] = KOUT[k];
    const tree = await pollData(`${k} tree`, `${e}/XY/${id}/tree`, { parameters: { requested_timerange: range } });
    const ids = leaves(tree).slice(0, 4);
    expect(ids.length > 0, `${k} tree has series entries`, JSON.stringify(ids));
    const xy = await pollData(`${k} xy`, `${e}/XY/${id}/xy`, { parameters: { requested_timerange: { ...range, nbTimes: 40 }, requested_items: ids } });
    expect((xy.json?.model?.series ?? []).length >= ids.length && xy.json.model.series.every((x) => x.xValues.length === 40),
      `${k} xy honours nbTimes and items`, JSON.stringify((xy.json?.model?.series ?? []).map((x) => x.seriesId)));
  }

  // Critical Path, of the thread given by "tid"
  const [, cp] = KOUT.critpath;
  const tid = threads.find((x) => x.metadata?.tid)?.metadata?.tid?.[0];
  const cpNone = await pollData('critical path tree without tid', `${e}/timeGraph/${cp}/tree`, { parameters: {} });
  expect((cpNone.json?.model?.entries ?? []).length === 0, 'critical path without tid: no entries', 'some');
  const cpTree = await pollData('critical path tree', `${e}/timeGraph/${cp}/tree`, { parameters: { tid } });
  const cpRows = leaves(cpTree);
  expect(cpRows.length > 0, 'critical path tree has thread entries', JSON.stringify(cpRows));
  const cpStates = await pollData('critical path states', `${e}/timeGraph/${cp}/states`,
    { parameters: { tid, requested_timerange: { ...range, nbTimes: 500 }, requested_items: cpRows } });
  expect(usedStyles(cpStates).every((k) => KOUT.critpath.styles[k]), 'critical path: every state style key is defined', JSON.stringify([...new Set(usedStyles(cpStates))]));
  const cpArrows = await pollData('critical path arrows', `${e}/timeGraph/${cp}/arrows`, { parameters: { tid, requested_timerange: range } });
  expect((cpArrows.json?.model ?? []).every((a) => cpRows.includes(a.sourceId) && cpRows.includes(a.targetId)),
    'critical path arrows link its rows', JSON.stringify(cpArrows.json?.model?.slice(0, 2)));
  await pollData('critical path tooltip', `${e}/timeGraph/${cp}/tooltip`,
    { parameters: { tid, requested_times: [mid], requested_items: [cpRows[0]], requested_element: { elementType: 'STATE', time: mid, duration: 0 } } });
  await call('critical path with a string tid', 'POST', `${e}/timeGraph/${cp}/tree`, { parameters: { tid: 'x' } }, { status: 400 });
}

selfTest();
if (errata.length) console.log(`# spec errata applied to: ${errata.join(', ')}`);
if (!args.selfTest) {
  try {
    await walk();
  } catch (e) {
    report(false, 'walk', e.stack);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
