// Side by side with bench-translate: the same TSP answer files (bench/gen-payloads.sh)
// turned into typed models by the official TypeScript client, and into the bridge's
// Grafana data frames by JSONata (what an Infinity datasource user would write).
//
//   node side-by-side.mjs DIR [--json OUT] [--seconds S] [--only CASE]
//
// (--child, internal: run the one --only case here and print its result as JSON.)
//
// Cases (bench-translate's): xy (xy.json), tg-states (tg-tree.json + tg-states.json),
// tg-arrows (tg-tree.json + tg-arrows.json), table (table-columns.json + table-lines.json).
// Per case and side: a warm-up, then runs until S seconds (default 3) have been
// measured; each case in a child process. The texts are read once; a run starts
// from the text. The outputs are checked first (see checkFrames, audit).
//
//  tsclient  tsp-typescript-client's real HttpTspClient.fetch* calls, with only the
//            transport (RestClient.httpRequest) answering the file's text: RestClient.
//            performRequest -> RestClient.jsonParse (json-bigint, native BigInt) ->
//            GenericResponse(<model normalizer>) -> TspClientResponse.getModel().
//  jsonata   JSON.parse (plain: timestamps become doubles) + one compiled JSONata
//            expression per case producing the bridge's /query data frames.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsp = require('tsp-typescript-client');
const jsonata = require('jsonata');

const USAGE = 'usage: node side-by-side.mjs DIR [--json OUT] [--seconds S] [--only CASE]';

function args(argv) {
	const o = { dir: null, json: null, seconds: 3, only: null, child: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--json' && i + 1 < argv.length) o.json = argv[++i];
		else if (a === '--seconds' && i + 1 < argv.length) o.seconds = Number(argv[++i]);
		else if (a === '--only' && i + 1 < argv.length) o.only = argv[++i];
		else if (a === '--child') o.child = true;
		else if (!a.startsWith('-') && !o.dir) o.dir = a;
		else throw new Error(USAGE);
	}
	if (!o.dir || !(o.seconds > 0)) throw new Error(USAGE);
	return o;
}

// "name version" of an installed package (json-bigint is an alias: its real name).
function version(pkg) {
	let dir = path.dirname(require.resolve(pkg));
	while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
	const p = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	return `${p.name} ${p.version}`;
}

// ---- tsclient: the client's own request path, the network replaced by the file ----

const client = new tsp.HttpTspClient('http://tsp.invalid/tsp/api');
const JSON_HEADERS = { get: (k) => (k.toLowerCase() === 'content-type' ? 'application/json' : null) };
let served = null;      // what the "server" answers to the next request
tsp.RestClient.httpRequest = async () => ({ text: served, status: 200, statusText: 'OK', headers: JSON_HEADERS });

// One request: its GenericResponse's typed model. performRequest only logs parse and
// normalizer errors (the model is then undefined): fail instead.
async function fetchModel(text, call) {
	served = text;
	const r = await call();
	const g = r.getModel();
	if (!r.isOk() || g === undefined) throw new Error('tsp-typescript-client did not produce a model');
	if (g.status !== tsp.ResponseStatus.COMPLETED) throw new Error('status ' + g.status);
	return g.model;
}

const EXP = '99805102-96a9-5d9e-8648-449542f058c2';
const XY_OUT = 'org.eclipse.tracecompass.analysis.os.linux.core.cpuusage.CpuUsageDataProvider';
const TG_OUT = 'org.eclipse.tracecompass.internal.analysis.os.linux.core.threadstatus.ThreadStatusDataProvider';
const TABLE_OUT = 'org.eclipse.tracecompass.internal.provisional.tmf.core.model.events.TmfEventTableDataProvider';
const START = 1700000000500644597n, END = 1700000010500644597n;
const ids = (n) => Array.from({ length: n }, (_, i) => i + 1);
const Q = tsp.QueryHelper;
const XY_QUERY = Q.selectionTimeRangeQuery(START, END, 2000, ids(100));
const TREE_QUERY = Q.timeRangeQuery(START, END);
const STATES_QUERY = Q.selectionTimeRangeQuery(START, END, 65536, ids(5000));
const ARROWS_QUERY = Q.timeRangeQuery(START, END, 65536);
const COLUMNS_QUERY = Q.query();
const LINES_QUERY = Q.tableQuery([], 0, 10000);

const TSCLIENT = {
	xy: async ([xy]) => ({ xy: await fetchModel(xy, () => client.fetchXY(EXP, XY_OUT, XY_QUERY)) }),
	'tg-states': async ([tree, states]) => ({
		tree: await fetchModel(tree, () => client.fetchTimeGraphTree(EXP, TG_OUT, TREE_QUERY)),
		states: await fetchModel(states, () => client.fetchTimeGraphStates(EXP, TG_OUT, STATES_QUERY)),
	}),
	'tg-arrows': async ([tree, arrows]) => ({
		tree: await fetchModel(tree, () => client.fetchTimeGraphTree(EXP, TG_OUT, TREE_QUERY)),
		arrows: await fetchModel(arrows, () => client.fetchTimeGraphArrows(EXP, TG_OUT, ARROWS_QUERY)),
	}),
	table: async ([columns, lines]) => ({
		columns: await fetchModel(columns, () => client.fetchTableColumns(EXP, TABLE_OUT, COLUMNS_QUERY)),
		lines: await fetchModel(lines, () => client.fetchTableLines(EXP, TABLE_OUT, LINES_QUERY)),
	}),
};

// A state is an interval when it has a name: the bridge (without styles, as in
// bench-translate) names it by its label, else its style's key.
const named = (s) => (s.label !== undefined && s.label !== null) || (s.style !== undefined && s.style !== null);

// Items of a typed model, and a check that it is typed (BigInt times, numbers).
const ITEMS = {
	xy: ({ xy }) => {
		const x = xy.series[0].xValues[0];
		if (typeof x !== 'bigint') throw new Error('xValues are ' + typeof x + ', not bigint');
		return xy.series.reduce((n, s) => n + Math.min(s.xValues.length, s.yValues.length), 0);
	},
	'tg-states': ({ tree, states }) => {
		if (typeof tree.entries[1].start !== 'bigint' || typeof states.rows[0].states[0].start !== 'bigint')
			throw new Error('state times are not bigint');
		return states.rows.reduce((n, r) => n + r.states.filter(named).length, 0);
	},
	'tg-arrows': ({ arrows }) => {
		if (typeof arrows[0].start !== 'bigint') throw new Error('arrow times are not bigint');
		return arrows.length;
	},
	table: ({ columns, lines }) => {
		if (typeof columns[0].id !== 'number' || typeof lines.lines[0].index !== 'number')
			throw new Error('table ids are not numbers');
		return lines.lines.length;
	},
};

// A cheap sanity check of the models in the timed runs (series, rows, arrows, lines).
const SIZE = {
	xy: ({ xy }) => xy.series.length,
	'tg-states': ({ tree, states }) => tree.entries.length + states.rows.length,
	'tg-arrows': ({ tree, arrows }) => tree.entries.length + arrows.length,
	table: ({ columns, lines }) => columns.length + lines.lines.length,
};

// ---- jsonata: JSON.parse + one expression per case, the bridge's data frames ----

// One frame per series: time (ms) and the values, named by the series.
const XY_EXPR = `
[model.series.{
	"name": seriesName,
	"refId": "A",
	"fields": [
		{ "name": "time", "type": "time", "values": [xValues.$floor($ / 1000000)], "config": {} },
		{ "name": seriesName, "type": "number", "values": [yValues], "config": {} }
	]
}]`;

// $tree: the time graph tree answer; rows are named by their entry's first label.
const NAMES = `
	$names := $merge($tree.model.entries.{ $string(id): labels[0] });
	$name := function($id) { ($n := $lookup($names, $string($id)); $exists($n) ? $n : "#" & $string($id)) };`;

// Every named state as one interval row. The bridge also sorts them by start then
// row; JSONata cannot here: its order-by / $sort is a merge sort that copies the
// rest of a run for every element merged (O(n^2) time and memory): 26k intervals
// (500 rows) take 17 s and 1.4 GB, 52k exhaust a 4 GB heap. So rows stay in row order.
const STATES_EXPR = `(${NAMES}
	$iv := model.rows.(
		$id := entryId;
		$row := $name(entryId);
		states[$exists(label) or $exists(style)].{
			"row": $row, "id": $id, "start": start, "end": end,
			"state": $exists(label) ? label : style.parentKey,
			"label": $exists(label) ? label : null
		}
	);
	[{
		"name": "Thread Status",
		"refId": "A",
		"fields": [
			{ "name": "row", "type": "string", "values": [$iv.row], "config": {} },
			{ "name": "start", "type": "time", "values": [$iv.$floor(start / 1000000)], "config": {} },
			{ "name": "end", "type": "time", "values": [$iv.$floor(end / 1000000)], "config": {} },
			{ "name": "state", "type": "string", "values": [$iv.state], "config": {} },
			{ "name": "label", "type": "string", "values": [$iv.label], "config": {} },
			{ "name": "duration_ms", "type": "number", "values": [$iv.((end - start) / 1000000)], "config": {} },
			{ "name": "start_ns", "type": "string", "values": [$iv.$string(start)], "config": {} },
			{ "name": "end_ns", "type": "string", "values": [$iv.$string(end)], "config": {} },
			{ "name": "row_id", "type": "number", "values": [$iv.id], "config": {} }
		]
	}]
)`;

// The arrows in the answer's order.
const ARROWS_EXPR = `(${NAMES}
	$a := model;
	[{
		"name": "Thread Status",
		"refId": "A",
		"fields": [
			{ "name": "source", "type": "string", "values": [$a.$name(sourceId)], "config": {} },
			{ "name": "target", "type": "string", "values": [$a.$name(targetId)], "config": {} },
			{ "name": "start", "type": "time", "values": [$a.$floor(start / 1000000)], "config": {} },
			{ "name": "end", "type": "time", "values": [$a.$floor(end / 1000000)], "config": {} },
			{ "name": "duration_ms", "type": "number", "values": [$a.((end - start) / 1000000)], "config": {} },
			{ "name": "type", "type": "string", "values": [$a.($k := style.parentKey; $k ? $k : "")], "config": {} },
			{ "name": "source_id", "type": "number", "values": [$a.sourceId], "config": {} },
			{ "name": "target_id", "type": "number", "values": [$a.targetId], "config": {} },
			{ "name": "start_ns", "type": "string", "values": [$a.$string(start)], "config": {} },
			{ "name": "end_ns", "type": "string", "values": [$a.$string(end)], "config": {} }
		]
	}]
)`;

// $columns: the columns answer. One field per column of the lines, in their order
// (NUMBER columns as numbers), after a time field (ms) read from the TIMESTAMP column
// ("1700000000.500 970 326": seconds, then the first three fraction digits).
const TABLE_EXPR = `(
	$byId := $merge($columns.model.{ $string(id): $ });
	$lines := model.lines;
	$cols := [model.columnIds#$k.($c := $lookup($byId, $string($)); { "k": $k, "name": $c.name, "type": $c.type })];
	$ts := $cols[type = "TIMESTAMP"][0].k;
	$time := $exists($ts) ? [{
		"name": "time", "type": "time",
		"values": [$lines.(
			$t := $replace(cells[$ts].content, " ", "");
			$number($substringBefore($t, ".") & $substring($substringAfter($t, ".") & "000", 0, 3))
		)],
		"config": {}
	}] : [];
	$fields := $cols.(
		$k := k;
		$num := type = "NUMBER";
		{
			"name": name,
			"type": $num ? "number" : "string",
			"values": [$lines.($v := cells[$k].content; $num ? $number($v) : $v)],
			"config": {}
		}
	);
	[{ "name": "Events Table", "refId": "A", "fields": $append($time, $fields) }]
)`;

const EXPRS = {
	xy: jsonata(XY_EXPR),
	'tg-states': jsonata(STATES_EXPR),
	'tg-arrows': jsonata(ARROWS_EXPR),
	table: jsonata(TABLE_EXPR),
};

const JSONATA = {
	xy: ([xy]) => EXPRS.xy.evaluate(JSON.parse(xy)),
	'tg-states': ([tree, states]) => EXPRS['tg-states'].evaluate(JSON.parse(states), { tree: JSON.parse(tree) }),
	'tg-arrows': ([tree, arrows]) => EXPRS['tg-arrows'].evaluate(JSON.parse(arrows), { tree: JSON.parse(tree) }),
	table: ([columns, lines]) => EXPRS.table.evaluate(JSON.parse(lines), { columns: JSON.parse(columns) }),
};

// ---- checks of the JSONata frames against the exact (BigInt) model ----

function fail(c, msg) {
	throw new Error(`${c}: jsonata output: ${msg}`);
}

// Shape and counts: every field as long as its frame, the rows adding up to the
// input's items, the field names and types the bridge answers.
function checkFrames(c, frames, items, expect) {
	if (!Array.isArray(frames)) fail(c, 'not an array of frames');
	let rows = 0;
	frames.forEach((f, i) => {
		if (!f || !Array.isArray(f.fields) || !f.fields.length) fail(c, `frame ${i} has no fields`);
		const n = f.fields[0].values.length;
		for (const fl of f.fields)
			if (!Array.isArray(fl.values) || fl.values.length !== n)
				fail(c, `frame ${i} field "${fl.name}" has ${fl.values?.length} values, not ${n}`);
		const names = f.fields.map((fl) => `${fl.name}:${fl.type}`).join(',');
		const want = expect(f, i);
		if (names !== want) fail(c, `frame ${i} fields ${names}, not ${want}`);
		rows += n;
	});
	if (rows !== items) fail(c, `${rows} ${UNIT[c]}, the input has ${items}`);
}

const msOf = (ns) => Number(ns / 1000000n);
const field = (f, name) => f.fields.find((x) => x.name === name).values;

// Values compared with the exact ones; returns notes on what doubles changed.
function audit(c, frames, m) {
	const notes = [];
	const count = (a, b) => a.reduce((n, v, i) => n + (v !== b[i]), 0);
	const sortedCount = (a, b) => count([...a].sort((x, y) => x - y), [...b].sort((x, y) => x - y));
	if (c === 'xy') {
		let bad = 0, n = 0, badY = 0;
		frames.forEach((f, i) => {
			const s = m.xy.series[i];
			if (f.name !== s.seriesName) fail(c, `frame ${i} is "${f.name}", not "${s.seriesName}"`);
			bad += count(f.fields[0].values, s.xValues.map(msOf));
			badY += count(f.fields[1].values, s.yValues);
			n += s.xValues.length;
		});
		if (badY) fail(c, `${badY} values differ from the series' yValues`);
		notes.push(`times (ms) off by the double rounding: ${bad} of ${n}`);
	} else if (c === 'tg-states' || c === 'tg-arrows') {
		const f = frames[0];
		const list = c === 'tg-states' ? m.states.rows.flatMap((r) => r.states.filter(named)) : m.arrows;
		const exact = new Set(list.flatMap((s) => [String(s.start), String(s.end)]));
		const ns = [...field(f, 'start_ns'), ...field(f, 'end_ns')];
		const wrong = ns.filter((s) => !exact.has(s)).length;
		const ms = sortedCount(field(f, 'start'), list.map((s) => msOf(s.start)));
		const dur = count(field(f, 'duration_ms'), list.map((s) => Number(s.end - s.start) / 1e6));
		notes.push(`start_ns/end_ns not the TSP value: ${wrong} of ${ns.length}; start (ms) off: ${ms} of ` +
			`${list.length}; duration_ms off: ${dur} of ${list.length}`);
		if (c === 'tg-states') {
			// Row order (see STATES_EXPR): the same intervals as the model's, one for one.
			if (count(field(f, 'row_id'), m.states.rows.flatMap((r) => r.states.filter(named).map(() => r.entryId))))
				fail(c, 'row_id differs from the rows');
			if (count(field(f, 'label'), list.map((s) => s.label ?? null))) fail(c, 'label differs from the states');
		} else {
			const src = field(f, 'source_id');
			if (count(src, m.arrows.map((a) => a.sourceId))) fail(c, 'source_id differs from the arrows');
			const names = new Map(m.tree.entries.map((e) => [e.id, e.labels[0]]));
			if (count(field(f, 'target'), m.arrows.map((a) => names.get(a.targetId) ?? `#${a.targetId}`)))
				fail(c, 'target names differ from the tree');
		}
	} else if (c === 'table') {
		const f = frames[0];
		const ts = m.lines.lines.map((l) => l.cells[0].content.replace(/ /g, ''));
		const exactMs = ts.map((t) => msOf(BigInt(t.replace('.', ''))));
		if (count(field(f, 'time'), exactMs)) fail(c, 'time (ms) differs from the Timestamp cells');
		notes.push('time (ms) exact (parsed from the Timestamp text)');
	}
	return notes;
}

// ---- the cases ----

const CASES = [
	{ name: 'xy', files: ['xy.json'] },
	{ name: 'tg-states', files: ['tg-tree.json', 'tg-states.json'] },
	{ name: 'tg-arrows', files: ['tg-tree.json', 'tg-arrows.json'] },
	{ name: 'table', files: ['table-columns.json', 'table-lines.json'] },
];
const UNIT = { xy: 'points', 'tg-states': 'intervals', 'tg-arrows': 'arrows', table: 'lines' };

function expectFields(c, m) {
	const S = (n) => `${n}:string`, T = (n) => `${n}:time`, N = (n) => `${n}:number`;
	switch (c) {
	case 'xy':
		return (f, i) => [T('time'), N(m.xy.series[i].seriesName)].join(',');
	case 'tg-states':
		return () => [S('row'), T('start'), T('end'), S('state'), S('label'), N('duration_ms'),
			S('start_ns'), S('end_ns'), N('row_id')].join(',');
	case 'tg-arrows':
		return () => [S('source'), S('target'), T('start'), T('end'), N('duration_ms'), S('type'),
			N('source_id'), N('target_id'), S('start_ns'), S('end_ns')].join(',');
	default: {
		const byId = new Map(m.columns.map((col) => [col.id, col]));
		const cols = m.lines.columnIds.map((id) => byId.get(id));
		const time = cols.some((col) => col.type === 'TIMESTAMP') ? [T('time')] : [];
		return () => [...time, ...cols.map((col) => (col.type === 'NUMBER' ? N : S)(col.name))].join(',');
	}
	}
}

// Runs fn for a warm-up of up to min(1 s, S/5), counting the untimed checking run
// (`done` ms) in, then until `seconds` of runs were measured, at least one
// (JSONata on the time graph states takes seconds per run).
async function measure(fn, seconds, done) {
	const warm = performance.now() - done;
	while (performance.now() - warm < Math.min(1000, seconds * 200)) await fn();
	let total = 0, runs = 0;
	while (runs < 1 || total < seconds * 1000) {
		const t0 = performance.now();
		await fn();
		total += performance.now() - t0;
		runs++;
	}
	return { s: total / 1000 / runs, runs };
}

// One case, in this process: { result, notes }.
async function runCase(c, dir, seconds) {
	const input = c.files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
	const bytes = input.reduce((n, t) => n + Buffer.byteLength(t), 0);
	// Once, untimed: the exact model, the item count, the JSONata frames checked.
	let t0 = performance.now();
	const model = await TSCLIENT[c.name](input);
	const tsFirst = performance.now() - t0;
	const items = ITEMS[c.name](model), size = SIZE[c.name](model);
	t0 = performance.now();
	const frames = await JSONATA[c.name](input);
	const jaFirst = performance.now() - t0;
	checkFrames(c.name, frames, items, expectFields(c.name, model));
	const notes = audit(c.name, frames, model).map((n) => `${c.name}: jsonata ${n}`);

	const ts = await measure(async () => {
		if (SIZE[c.name](await TSCLIENT[c.name](input)) !== size) throw new Error(`${c.name}: tsclient model changed`);
	}, seconds, tsFirst);
	const ja = await measure(async () => {
		if (!(await JSONATA[c.name](input))[0].fields.length) throw new Error(`${c.name}: jsonata output changed`);
	}, seconds, jaFirst);
	process.stderr.write(`side-by-side: ${c.name}: tsclient ${(ts.s * 1000).toFixed(0)} ms x ${ts.runs}, ` +
		`jsonata ${(ja.s * 1000).toFixed(0)} ms x ${ja.runs}\n`);
	return {
		result: {
			bytes, items, unit: UNIT[c.name],
			tsclient_mb_s: bytes / 1e6 / ts.s, tsclient_items_s: items / ts.s, tsclient_runs: ts.runs,
			jsonata_mb_s: bytes / 1e6 / ja.s, jsonata_items_s: items / ja.s, jsonata_runs: ja.runs,
		},
		notes,
	};
}

// Each case runs in a child process of its own (--child), so that none measures
// in a heap the previous cases grew (the states case takes GBs).
function runChild(c, o) {
	const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), o.dir, '--only', c.name,
		'--seconds', String(o.seconds), '--child'], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
	if (r.status !== 0) throw new Error(`${c.name} failed (${r.signal || 'exit ' + r.status})`);
	return JSON.parse(r.stdout.toString());
}

async function main() {
	const o = args(process.argv.slice(2));
	const cases = CASES.filter((c) => !o.only || c.name === o.only);
	if (!cases.length) throw new Error(`no case ${o.only}: ${CASES.map((c) => c.name).join(', ')}`);
	if (o.child) {
		process.stdout.write(JSON.stringify(await runCase(cases[0], o.dir, o.seconds)));
		return;
	}

	console.log(`Node ${process.version}, ${version('tsp-typescript-client')} (its json-bigint: ` +
		`${version('json-bigint')}), ${version('jsonata')}; ${o.seconds} s per case and side`);
	const results = {};
	const notes = [];
	for (const c of cases) {
		const r = runChild(c, o);
		results[c.name] = r.result;
		notes.push(...r.notes);
	}

	const f1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
	const int = (x) => Math.round(x).toLocaleString('en-US');
	const W = [-10, 7, -17, 14, 12, 5, 13, 12, 5, 11];
	const row = (...v) => console.log(v.map((x, i) => (W[i] < 0 ? String(x).padEnd(-W[i]) : String(x).padStart(W[i]))).join(' '));
	row('case', 'MB in', 'items', 'tsclient MB/s', 'items/s', 'runs', 'jsonata MB/s', 'items/s', 'runs', 'ts/jsonata');
	for (const [name, r] of Object.entries(results))
		row(name, (r.bytes / 1e6).toFixed(2), `${r.items} ${r.unit}`, f1(r.tsclient_mb_s), int(r.tsclient_items_s),
			r.tsclient_runs, f1(r.jsonata_mb_s), int(r.jsonata_items_s), r.jsonata_runs,
			`${f1(r.tsclient_mb_s / r.jsonata_mb_s)}x`);
	console.log('tsclient: text -> typed model (BigInt times) through tsp-typescript-client; no Grafana frames.');
	console.log('jsonata: JSON.parse + expression -> the bridge\'s data frames. JSON.parse keeps ns timestamps ' +
		'(~1.7e18) as doubles, exact only to 256 ns: the *_ns strings and some ms times are not the trace\'s; ' +
		'tg-states intervals stay in row order (JSONata\'s sort is quadratic).');
	for (const n of notes) console.log(n);
	if (o.json) fs.writeFileSync(o.json, JSON.stringify(results, null, 1) + '\n');
}

main().catch((e) => {
	console.error('side-by-side: ' + (e && e.message ? e.message : JSON.stringify(e)));
	process.exit(1);
});
