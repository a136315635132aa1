#!/usr/bin/env node
/*
 * Converts tsp-bridge's Grafana answers with Grafana's own code and checks
 * the frames: @grafana/data's toDataFrame(), which both datasource plugins
 * apply to every element of a /query answer (simpod-json-datasource:
 * `response.data.map(toDataFrame)`).
 *
 *   node check-frames.cjs --base http://127.0.0.1:PORT --from ISO --to ISO
 *       runs every check against a bridge in front of tspsim's default
 *       workload (experiment "kernel"); --from/--to cover the experiment.
 *   node check-frames.cjs --self-test
 *       feeds the checks canned good and bad answers (no network) and
 *       proves they accept the good ones and reject each bad one.
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit status 1 on a failure.
 */
'use strict';

const { grafanaData, report, finish } = require('./tap.cjs');
const { toDataFrame, FieldType, getFieldDisplayName } = grafanaData;

class CheckError extends Error {}
function must(cond, msg) {
	if (!cond)
		throw new CheckError(msg);
}

function describe(frame) {
	return frame.fields.map((f) => `${f.name}:${f.type}`).join(', ');
}

function field(frame, name) {
	const f = frame.fields.find((x) => x.name === name);
	must(f, `no field "${name}" in [${describe(frame)}]`);
	return f;
}

/* Every value of a time field is an integer epoch ms inside [fromMs, toMs]. */
function checkTimes(frame, fromMs, toMs) {
	for (const f of frame.fields) {
		if (f.type !== FieldType.time)
			continue;
		for (const v of f.values) {
			must(Number.isInteger(v), `${f.name}: ${v} is not an integer ms`);
			must(v >= 1e12 && v < 1e14, `${f.name}: ${v} is not epoch ms`);
			if (fromMs !== undefined)
				must(v >= fromMs && v <= toMs, `${f.name}: ${v} outside ${fromMs}..${toMs}`);
		}
	}
}

/* Field names and types, in order: spec is [[name, type], ...]. */
function checkFields(frame, spec) {
	for (const [name, type] of spec)
		must(field(frame, name).type === type,
		     `field ${name} is ${field(frame, name).type}, not ${type} ([${describe(frame)}])`);
	for (const f of frame.fields)
		must(f.values.length === frame.length, `field ${f.name} has ${f.values.length} values, frame ${frame.length}`);
}

function notices(frame) {
	return ((frame.meta && frame.meta.notices) || []).map((n) => n.text).join(' | ');
}

/* ---- the checks, each on the converted frames of one answer ---- */

const checks = {
	/* SimpleJSON time series: Time + Value per series, points = maxDataPoints. */
	series(frames, c) {
		must(frames.length >= c.minFrames, `${frames.length} frames, expected >= ${c.minFrames}`);
		for (const fr of frames) {
			checkFields(fr, [['Time', FieldType.time], ['Value', FieldType.number]]);
			must(fr.length === c.points, `${fr.name}: ${fr.length} points, not ${c.points}`);
			must(fr.refId === c.refId, `refId ${fr.refId}`);
			must(typeof fr.name === 'string' && fr.name.length > 0, 'series without a name');
			checkTimes(fr, c.fromMs, c.toMs);
			for (const v of field(fr, 'Value').values)
				must(v === null || (typeof v === 'number' && Number.isFinite(v)), `value ${JSON.stringify(v)} is not a number`);
			const t = field(fr, 'Time').values;
			for (let i = 1; i < t.length; i++)
				must(t[i] > t[i - 1], `times not increasing at ${i}`);
		}
	},
	/*
	 * Several series as frames (JSON datasource): each series' value reads
	 * as its entry's name, once (a frame X holding a field X reads "X X"
	 * in legends unless the field says how it is shown).
	 */
	seriesNames(frames, c) {
		must(frames.length >= c.minFrames, `${frames.length} frames, expected >= ${c.minFrames}`);
		must(new Set(frames.map((f) => f.name)).size === frames.length, 'frame names repeat');
		for (const fr of frames) {
			const v = fr.fields.find((f) => f.type === FieldType.number);
			must(v, `${fr.name}: no number field`);
			const shown = getFieldDisplayName(v, fr, frames);
			must(shown === fr.name, `${fr.name}: shown as "${shown}"`);
			if (c.names)
				must(c.names.includes(shown), `"${shown}" is not an entry name`);
		}
	},
	/* Intervals: ms times equal floor(ns / 1e6) of the exact ns strings. */
	intervals(frames, c) {
		must(frames.length === 1, `${frames.length} frames`);
		const fr = frames[0];
		checkFields(fr, [['row', FieldType.string], ['start', FieldType.time], ['end', FieldType.time],
			['state', FieldType.string], ['label', FieldType.string], ['duration_ms', FieldType.number],
			['start_ns', FieldType.string], ['end_ns', FieldType.string], ['row_id', FieldType.number]]);
		must(fr.length > 0, 'no interval');
		checkTimes(fr, c.fromMs, c.toMs);
		const s = field(fr, 'start').values, e = field(fr, 'end').values;
		const sns = field(fr, 'start_ns').values, ens = field(fr, 'end_ns').values;
		for (let i = 0; i < fr.length; i++) {
			must(BigInt(s[i]) === BigInt(sns[i]) / 1000000n, `row ${i}: ${s[i]} != floor(${sns[i]} / 1e6)`);
			must(BigInt(e[i]) === BigInt(ens[i]) / 1000000n, `row ${i}: ${e[i]} != floor(${ens[i]} / 1e6)`);
			/* ns -> ms -> ns: no drift beyond the ms rounding */
			const back = BigInt(s[i]) * 1000000n;
			must(BigInt(sns[i]) - back >= 0n && BigInt(sns[i]) - back < 1000000n, `row ${i}: drift`);
		}
	},
	/* State timeline: time + string rows with colour mappings. */
	timeline(frames, c) {
		must(frames.length === 1, `${frames.length} frames`);
		const fr = frames[0];
		must(fr.fields[0].type === FieldType.time, `first field is ${fr.fields[0].type}`);
		checkFields(fr, []);
		checkTimes(fr, c.fromMs, c.toMs);
		const rows = fr.fields.slice(1);
		must(rows.length >= 1, 'no row field');
		for (const f of rows) {
			must(f.type === FieldType.string, `${f.name} is ${f.type}`);
			const maps = (f.config && f.config.mappings) || [];
			const colours = maps.flatMap((m) => Object.values(m.options || {})).filter((o) => /^#[0-9a-fA-F]{6}$/.test(o.color || ''));
			must(colours.length > 0, `${f.name}: no value mapping with a colour`);
		}
		must(fr.refId === c.refId, `refId ${fr.refId}`);
	},
	/* Events: a time field, the TSP columns, the limit and its notice. */
	events(frames, c) {
		must(frames.length === 1, `${frames.length} frames`);
		const fr = frames[0];
		checkFields(fr, [['time', FieldType.time], ['Event type', FieldType.string], ['CPU', FieldType.number]]);
		must(fr.length === c.limit, `${fr.length} rows, not ${c.limit}`);
		must(/events in the time range/.test(notices(fr)), `no limit notice: "${notices(fr)}"`);
		checkTimes(fr, c.fromMs, c.toMs);
	},
	statistics(frames) {
		must(frames.length === 1, `${frames.length} frames`);
		const fr = frames[0];
		checkFields(fr, [['name', FieldType.string], ['path', FieldType.string]]);
		must(fr.length > 1, `${fr.length} rows`);
		const nums = fr.fields.filter((f) => f.type === FieldType.number);
		must(nums.length >= 1, `no number field in [${describe(fr)}]`);
		must(field(fr, 'name').values.includes('sched_switch'), 'no sched_switch row');
		const pct = field(fr, '%');
		must(pct.type === FieldType.number && pct.config.unit === 'percent',
		     `% is ${pct.type} in ${pct.config.unit}, not a number in percent`);
	},
	arrows(frames, c) {
		must(frames.length === 1, `${frames.length} frames`);
		const fr = frames[0];
		checkFields(fr, [['source', FieldType.string], ['target', FieldType.string], ['start', FieldType.time],
			['end', FieldType.time], ['duration_ms', FieldType.number]]);
		must(fr.length > 0, 'no arrow');
		checkTimes(fr, c.fromMs, c.toMs);
	},
	styles(frames) {
		const fr = frames[0];
		checkFields(fr, [['state', FieldType.string], ['name', FieldType.string], ['color', FieldType.string]]);
		must(fr.length >= 5, `${fr.length} styles`);
		for (const v of field(fr, 'color').values)
			must(/^#[0-9a-fA-F]{6}$/.test(v), `colour ${v}`);
	},
	/* Annotations as frames (JSON datasource): time, timeEnd, title, text. */
	annotationFrames(frames, c) {
		const fr = frames[0];
		checkFields(fr, [['time', FieldType.time], ['timeEnd', FieldType.time], ['title', FieldType.string],
			['text', FieldType.string]]);
		must(fr.length > 0, 'no annotation');
		checkTimes(fr, c.fromMs, c.toMs);
	},
};

/* SimpleJSON /annotations items. */
function checkAnnotationItems(items, c) {
	must(Array.isArray(items) && items.length > 0, 'no annotation');
	for (const a of items) {
		must(Number.isInteger(a.time) && Number.isInteger(a.timeEnd), `times ${a.time}, ${a.timeEnd}`);
		must(a.time <= a.timeEnd && a.time >= c.fromMs && a.time <= c.toMs, `time ${a.time} outside`);
		must(typeof a.title === 'string' && typeof a.text === 'string', 'title/text');
		must(Array.isArray(a.tags), 'tags');
		must(a.annotation && a.annotation.name === c.name, 'the annotation is not echoed');
	}
}

function run(name, fn) {
	try {
		fn();
		report(true, name);
	} catch (e) {
		if (!(e instanceof CheckError))
			throw e;
		report(false, name, e.message);
	}
}

/* ---- against a bridge ---- */

async function post(base, path, body) {
	const r = await fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	const text = await r.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch (e) {
		throw new CheckError(`${path}: not JSON: ${text.slice(0, 200)}`);
	}
	if (r.status !== 200)
		throw new CheckError(`${path}: HTTP ${r.status}: ${text.slice(0, 300)}`);
	return json;
}

async function live(base, from, to) {
	const fromMs = Date.parse(from), toMs = Date.parse(to);
	const range = { from, to, raw: { from: 'now-6h', to: 'now' } };
	const q = (targets, maxDataPoints = 200) => ({ panelId: 1, range, rangeRaw: range.raw, interval: '1s',
		intervalMs: 1000, maxDataPoints, targets });
	const frames = async (targets, max) => (await post(base, '/query', q(targets, max))).map(toDataFrame);
	const cases = [
		['SimpleJSON timeserie, every CPU usage series', async () =>
			checks.series(await frames([{ target: 'kernel/CPU Usage/*', refId: 'A', type: 'timeserie' }], 120),
				{ minFrames: 2, points: 120, refId: 'A', fromMs, toMs })],
		['SimpleJSON table, thread state intervals', async () =>
			checks.intervals(await frames([{ target: 'kernel/Thread Status', refId: 'B', type: 'table' }]),
				{ fromMs, toMs })],
		['JSON datasource, state timeline with colours', async () =>
			checks.timeline(await frames([{ target: 'timeline', refId: 'C',
				payload: { experiment: 'kernel', output: 'Thread Status', entries: '~^(systemd|bash)$' } }]),
			{ refId: 'C', fromMs, toMs })],
		['SimpleJSON table, events paged by range and limit', async () =>
			checks.events(await frames([{ target: 'kernel/Events Table?limit=25', refId: 'D', type: 'table' }]),
				{ limit: 25, fromMs, toMs })],
		['JSON datasource, statistics tree', async () =>
			checks.statistics(await frames([{ target: 'tree', refId: 'E',
				payload: { experiment: 'kernel', output: 'Statistics' } }]))],
		['SimpleJSON table, arrows', async () =>
			checks.arrows(await frames([{ target: 'kernel/Thread Status?view=arrows', refId: 'F', type: 'table' }]),
				{ fromMs, toMs })],
		['JSON datasource, styles', async () =>
			checks.styles(await frames([{ target: 'kernel/Thread Status?view=styles', refId: 'G', payload: {} }]))],
		['JSON datasource, annotations as frames', async () =>
			checks.annotationFrames(await frames([{ target: 'annotations', refId: 'H',
				payload: { experiment: 'kernel', output: 'Thread Status', markers: 'frames' } }]), { fromMs, toMs })],
		['SimpleJSON /annotations', async () =>
			checkAnnotationItems(await post(base, '/annotations', { range, annotation: { name: 'Frames',
				enable: true, iconColor: 'red', query: 'kernel/Thread Status?markers=frames' } }),
			{ fromMs, toMs, name: 'Frames' })],
		['SimpleJSON table, statistics', async () =>
			checks.statistics(await frames([{ target: 'kernel/Statistics', refId: 'J', type: 'table' }]))],
		['JSON datasource, events', async () =>
			checks.events(await frames([{ target: 'events', refId: 'K',
				payload: { experiment: 'kernel', output: 'Events Table', limit: 10 } }]), { limit: 10, fromMs, toMs })],
		['JSON datasource, state intervals', async () =>
			checks.intervals(await frames([{ target: 'intervals', refId: 'L',
				payload: { experiment: 'kernel', output: 'Thread Status' } }]), { fromMs, toMs })],
		['SimpleJSON timeserie on a time graph: the state timeline as a table, with colours', async () =>
			checks.timeline(await frames([{ target: 'kernel/Thread Status/sshd', refId: 'M', type: 'timeserie' }]),
				{ refId: 'M', fromMs, toMs })],
		['JSON datasource, every CPU usage series shown by its entry name once', async () => {
			const names = (await post(base, '/variable', { payload: { target: 'entries(kernel/CPU Usage)' } }))
				.map((x) => x.__text);
			const fr = await frames([{ target: 'series', refId: 'N',
				payload: { experiment: 'kernel', output: 'CPU Usage', entries: '*' } }], 20);
			/* tspsim names a thread's series "name (tid)", the total "Total". */
			checks.seriesNames(fr, { minFrames: 2,
				names: fr.map((f) => f.name).filter((n) => names.includes(n.replace(/ \(\d+\)$/, ''))) });
			must(fr.some((f) => f.name === 'Total'), 'no Total series');
		}],
		['JSON datasource XY series as frames keep ms times', async () => {
			const fr = await frames([{ target: 'series', refId: 'I', payload: { experiment: 'kernel', output: 'CPU Usage' } }], 50);
			must(fr.length === 1, `${fr.length} frames`);
			checkFields(fr[0], [['time', FieldType.time]]);
			must(fr[0].fields[1].type === FieldType.number, `value is ${fr[0].fields[1].type}`);
			must(fr[0].length === 50, `${fr[0].length} points`);
			checkTimes(fr[0], fromMs, toMs);
		}],
	];
	for (const [name, fn] of cases) {
		try {
			await fn();
			report(true, name);
		} catch (e) {
			if (!(e instanceof CheckError))
				throw e;
			report(false, name, e.message);
		}
	}
}

/* ---- self-test: the checks must reject what is wrong ---- */

function selfTest() {
	const fromMs = 1700000000000, toMs = 1700000010000;
	const good = [{ target: 'Total', refId: 'A', datapoints: [[1, 1700000000500], [2, 1700000001500]] }];
	const expectOk = (name, fn) => {
		try {
			fn();
			report(true, `accepts ${name}`);
		} catch (e) {
			report(false, `accepts ${name}`, e.message);
		}
	};
	const expectFail = (name, fn) => {
		try {
			fn();
			report(false, `rejects ${name}`, 'the check passed');
		} catch (e) {
			report(e instanceof CheckError, `rejects ${name}`, e.message);
		}
	};
	const c = { minFrames: 1, points: 2, refId: 'A', fromMs, toMs };
	expectOk('a good time series', () => checks.series(good.map(toDataFrame), c));
	expectFail('times in seconds', () => checks.series([{ target: 'T', refId: 'A',
		datapoints: [[1, 1700000000], [2, 1700000001]] }].map(toDataFrame), c));
	expectFail('a point count off by one', () => checks.series(good.map(toDataFrame), { ...c, points: 3 }));
	expectFail('times outside the range', () => checks.series([{ target: 'T', refId: 'A',
		datapoints: [[1, 1800000000000], [2, 1800000000001]] }].map(toDataFrame), c));
	expectFail('a string value', () => checks.series([{ target: 'T', refId: 'A',
		datapoints: [['x', 1700000000500], ['y', 1700000001500]] }].map(toDataFrame), c));
	const row = (s, sns) => [`t`, s, s + 1, 'Running', null, 1, sns, String(BigInt(sns) + 1000000n), 1];
	const table = (rows) => [{ type: 'table', refId: 'B', columns: [
		{ text: 'row', type: 'string' }, { text: 'start', type: 'time' }, { text: 'end', type: 'time' },
		{ text: 'state', type: 'string' }, { text: 'label', type: 'string' },
		{ text: 'duration_ms', type: 'number' }, { text: 'start_ns', type: 'string' },
		{ text: 'end_ns', type: 'string' }, { text: 'row_id', type: 'number' }], rows }].map(toDataFrame);
	expectOk('exact intervals', () => checks.intervals(table([row(1700000000500, '1700000000500644597')]), { fromMs, toMs }));
	expectFail('an interval ms that drifted from its ns', () =>
		checks.intervals(table([row(1700000000501, '1700000000500644597')]), { fromMs, toMs }));
	expectFail('a missing column', () => checks.intervals([{ type: 'table', refId: 'B',
		columns: [{ text: 'row', type: 'string' }], rows: [['t']] }].map(toDataFrame), { fromMs, toMs }));
	const tl = (config) => [{ refId: 'C', fields: [{ name: 'time', type: 'time', values: [1700000000500] },
		{ name: 'bash', type: 'string', values: ['Running'], config }] }].map(toDataFrame);
	expectOk('a timeline with colours', () => checks.timeline(tl({ mappings: [{ type: 'value',
		options: { Running: { text: 'Running', color: '#00c800', index: 0 } } }] }), { refId: 'C', fromMs, toMs }));
	expectFail('a timeline without colours', () => checks.timeline(tl({}), { refId: 'C', fromMs, toMs }));
	expectFail('events without the limit notice', () => checks.events([{ type: 'table', refId: 'D',
		columns: [{ text: 'time', type: 'time' }, { text: 'Event type', type: 'string' }, { text: 'CPU', type: 'number' }],
		rows: [[1700000000500, 'sched_switch', 1]] }].map(toDataFrame), { limit: 1, fromMs, toMs }));
	const named = (cfg) => ['Total', 'bash (7)'].map((n) => toDataFrame({ name: n, refId: 'N', fields: [
		{ name: 'time', type: 'time', values: [1700000000500] },
		{ name: n, type: 'number', values: [1], config: cfg(n) }] }));
	expectOk('series shown by their names once', () => checks.seriesNames(named((n) => ({ displayNameFromDS: n })),
		{ minFrames: 2 }));
	expectFail('series shown as "X X"', () => checks.seriesNames(named(() => ({})), { minFrames: 2 }));
	expectFail('annotations without the echo', () => checkAnnotationItems([{ time: 1700000000500,
		timeEnd: 1700000000600, title: 'x', text: 'y', tags: [] }], { fromMs, toMs, name: 'Frames' }));
}

async function main() {
	const args = process.argv.slice(2);
	const arg = (k) => {
		const i = args.indexOf(k);
		return i >= 0 ? args[i + 1] : undefined;
	};
	if (args.includes('--self-test')) {
		selfTest();
	} else {
		const base = arg('--base'), from = arg('--from'), to = arg('--to');
		if (!base || !from || !to) {
			console.error('usage: check-frames.cjs --base URL --from ISO --to ISO | --self-test');
			process.exit(2);
		}
		await live(base, from, to);
	}
	finish();
}

main().catch((e) => {
	console.error(e && e.stack ? e.stack : e);
	process.exit(1);
});
