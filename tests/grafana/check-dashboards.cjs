#!/usr/bin/env node
/*
 * Checks the dashboard templates of dashboards/ against a running bridge
 * (in front of tspsim) the way Grafana would use them:
 *  - structure: schemaVersion, panels with unique ids and a gridPos inside
 *    the 24 columns, datasources that are template variables of a
 *    provisioned plugin type (grafana/provisioning/datasources) or a
 *    provisioned uid, variables referenced by queries that exist;
 *  - variables resolved through the JSON datasource's POST /variable;
 *  - every panel target executed with the dashboard's default time range:
 *    JSON datasource targets through POST /query, each answer converted with
 *    @grafana/data's toDataFrame and required non-empty; Infinity targets
 *    through GET on their URL, required to be non-empty arrays whose items
 *    hold the declared columns with the declared types;
 *  - the frames of each panel's JSON datasource targets put through the
 *    panel's transformations (@grafana/data's own), then: no series shown
 *    as "X X" (its frame's name twice), and a bar gauge ranking series
 *    ranks no "Total" among them; node graph frames carry their fields,
 *    and links of panels that follow $thread touch the chosen threads;
 *  - the kernel analyses' panels as their visualization needs them: the
 *    latency scatter's series drawn as points in ns, the statistics' times
 *    numbers in ns (a table sorts them), the density's x a number in ns, disk
 *    throughput in bytes/s, memory in bytes;
 *  - every data link clicked on the first rows of its panel (the JSON
 *    datasource's frames, or Infinity's rows as their columns): the URL, with
 *    Grafana's data-link variables resolved as @grafana/scenes does, opens a
 *    dashboard of the same folder on a range holding the value's time (a row's
 *    start..end exactly), with variables that dashboard has and values its
 *    query variables offer;
 *  - dashboard annotations executed the same way.
 *
 *   node check-dashboards.cjs --base http://127.0.0.1:PORT --dir DASHBOARDS --provisioning DIR
 *
 * Prints "ok - ..." / "not ok - ..." per check; exit status 1 on a failure.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const { grafanaData, report, finish } = require('./tap.cjs');
const { toDataFrame, getFieldDisplayName, standardTransformers, standardTransformersRegistry,
	transformDataFrame } = grafanaData;
const { firstValueFrom } = require('rxjs');

/* Grafana's app registers the transformers at start-up; the ones of @grafana/data are these. */
standardTransformersRegistry.setInit(() => [...new Set(Object.values(standardTransformers))]
	.map((t) => ({ id: t.id, aliasIds: t.aliasIds, transformation: t })));

function arg(k) {
	const i = process.argv.indexOf(k);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

/* The provisioned datasources: [{uid, type}] read from the YAML (flat keys suffice). */
function provisioned(dir) {
	const out = [];
	for (const f of fs.readdirSync(dir).filter((x) => /\.ya?ml$/.test(x))) {
		let cur = null;
		for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
			const m = line.match(/^\s*(-\s+)?(name|uid|type):\s*(.+?)\s*$/);
			if (!m)
				continue;
			if (m[1]) {
				cur = {};
				out.push(cur);
			}
			if (cur)
				cur[m[2]] = m[3];
		}
	}
	return out;
}

function escapeRegex(s) {
	return s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/* A variable's custom "All" value: Grafana inserts it unformatted. */
class AllValue {
	constructor(v) {
		this.value = v;
	}
}

/* Grafana's template interpolation, for the formats the dashboards use. */
function interp(s, vars) {
	if (typeof s !== 'string')
		return s;
	return s.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)/g, (all, a, fmt, b) => {
		const name = a || b;
		if (name.startsWith('__'))
			return vars[name] !== undefined ? String(vars[name]) : all;
		if (!(name in vars))
			return all;
		const v = vars[name];
		if (v instanceof AllValue)
			return v.value;
		const list = Array.isArray(v) ? v : [v];
		/* The JSON datasource interpolates payloads with the regex format. */
		const esc = list.map((x) => escapeRegex(String(x)));
		return esc.length > 1 ? `(${esc.join('|')})` : esc[0];
	});
}

function interpDeep(x, vars) {
	if (typeof x === 'string')
		return interp(x, vars);
	if (Array.isArray(x))
		return x.map((y) => interpDeep(y, vars));
	if (x && typeof x === 'object')
		return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, interpDeep(v, vars)]));
	return x;
}

async function post(base, p, body) {
	const r = await fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
	const text = await r.text();
	if (r.status !== 200)
		throw new Error(`${p}: HTTP ${r.status}: ${text.slice(0, 300)}`);
	return JSON.parse(text);
}

function structure(d, file, ds) {
	const errs = [];
	const uids = new Set(ds.map((x) => x.uid)), types = new Set(ds.map((x) => x.type));
	const vars = (d.templating && d.templating.list) || [];
	const varNames = new Set(vars.map((v) => v.name));
	if (typeof d.schemaVersion !== 'number' || d.schemaVersion < 30)
		errs.push(`schemaVersion ${d.schemaVersion}`);
	if (!d.uid || !d.title)
		errs.push('uid/title missing');
	if (!d.time || !d.time.from || !d.time.to)
		errs.push('no default time range');
	const checkDs = (where, ref) => {
		if (!ref || typeof ref !== 'object')
			return errs.push(`${where}: no datasource`);
		const m = /^\$\{(\w+)\}$/.exec(ref.uid || '');
		if (m) {
			const v = vars.find((x) => x.name === m[1]);
			if (!v || v.type !== 'datasource')
				errs.push(`${where}: \${${m[1]}} is not a datasource variable`);
			else if (!types.has(v.query))
				errs.push(`${where}: no provisioned datasource of type ${v.query}`);
			else if (v.query !== ref.type)
				errs.push(`${where}: type ${ref.type} but variable of ${v.query}`);
		} else if (!uids.has(ref.uid)) {
			errs.push(`${where}: uid ${ref.uid} is not provisioned`);
		}
	};
	const ids = new Set();
	for (const p of d.panels || []) {
		if (ids.has(p.id))
			errs.push(`panel id ${p.id} repeats`);
		ids.add(p.id);
		const g = p.gridPos || {};
		if (![g.x, g.y, g.w, g.h].every(Number.isInteger) || g.x < 0 || g.w < 1 || g.x + g.w > 24 || g.h < 1)
			errs.push(`panel ${p.id}: bad gridPos ${JSON.stringify(g)}`);
		if (!p.type || !p.title)
			errs.push(`panel ${p.id}: type/title missing`);
		if (!Array.isArray(p.targets) || !p.targets.length)
			errs.push(`panel ${p.id}: no targets`);
		checkDs(`panel ${p.id}`, p.datasource);
		for (const t of p.targets || []) {
			checkDs(`panel ${p.id} target ${t.refId}`, t.datasource || p.datasource);
			for (const m of JSON.stringify(t).matchAll(/\$\{?(\w+)/g))
				if (!m[1].startsWith('__') && !varNames.has(m[1]))
					errs.push(`panel ${p.id}: unknown variable $${m[1]}`);
		}
	}
	for (const v of vars) {
		if (v.type === 'query')
			checkDs(`variable ${v.name}`, v.datasource);
	}
	for (const a of (d.annotations && d.annotations.list) || [])
		checkDs(`annotation ${a.name}`, a.datasource);
	report(errs.length === 0, `${file}: structure`, errs.join('; '));
}

async function resolveVars(base, d, file, range) {
	const vars = {};
	for (const v of (d.templating && d.templating.list) || []) {
		/* A text box (the Infinity dashboards' experiment): its saved value. */
		if (v.type === 'textbox') {
			vars[v.name] = v.current && v.current.value !== undefined ? v.current.value : v.query;
			continue;
		}
		/* A fixed list (a minimum latency, a time window): its saved value, one of its options. */
		if (v.type === 'custom') {
			const options = (v.options || []).map((o) => String(o.value));
			const cur = v.current ? String(v.current.value) : undefined;
			report(options.includes(cur), `${file}: variable ${v.name} (custom)`, `${cur} is not among ${options.join(', ')}`);
			vars[v.name] = cur;
			continue;
		}
		if (v.type !== 'query')
			continue;
		const target = interp(v.query.query, vars);
		try {
			const items = await post(base, '/variable', { payload: { target }, range });
			const frame = toDataFrame(items);
			const texts = (frame.fields.find((f) => f.name === '__text') || { values: [] }).values;
			const want = v.current && v.current.value !== undefined ? v.current.value : undefined;
			const wanted = want === undefined ? [] : Array.isArray(want) ? want : [want];
			/* "All" saved: Grafana sends the custom all value as it is (or every option). */
			const all = !!v.includeAll && wanted.includes('$__all');
			const ok = texts.length > 0 && (all || wanted.every((w) => texts.includes(w)));
			report(ok, `${file}: variable ${v.name} (${target})`, `values [${texts.join(', ')}], default ${JSON.stringify(want)}`);
			vars[v.name] = all ? (v.allValue !== undefined ? new AllValue(v.allValue) : texts)
				: wanted.length ? (v.multi ? wanted : wanted[0]) : texts[0];
		} catch (e) {
			report(false, `${file}: variable ${v.name}`, e.message);
		}
	}
	return vars;
}

async function runJsonTarget(base, t, vars, range, fromMs, toMs) {
	const body = { range, rangeRaw: range, intervalMs: 1000, maxDataPoints: 600,
		targets: [{ refId: t.refId, target: interp(t.target, vars), payload: interpDeep(t.payload || {}, vars) }] };
	const frames = (await post(base, '/query', body)).map(toDataFrame);
	if (!frames.length)
		throw new Error('no frame');
	if (!frames.some((f) => f.length > 0))
		throw new Error(`all ${frames.length} frames are empty`);
	for (const f of frames) {
		for (const fl of f.fields) {
			if (fl.values.length !== f.length)
				throw new Error(`${f.name}.${fl.name}: ${fl.values.length} values, frame ${f.length}`);
			if (fl.type === 'time')
				for (const x of fl.values)
					if (!Number.isInteger(x) || x < fromMs - 1 || x > toMs + 1)
						throw new Error(`${f.name}.${fl.name}: time ${x} outside ${fromMs}..${toMs}`);
		}
	}
	return frames;
}

/* A row name of the chosen threads ("bash", or "bash (4)" where names repeat). */
function chosen(name, threads) {
	return threads.some((t) => name === t || name.startsWith(`${t} (`));
}

/*
 * Node graph frames as Grafana's node graph reads them (it throws without an
 * id field), and links that follow the $thread variable.
 */
function checkLinks(p, frames, vars) {
	const threads = vars.thread === undefined ? null : [].concat(vars.thread);
	const follows = JSON.stringify(p.targets).includes('$thread');
	if (p.type === 'nodeGraph') {
		const nodes = frames.find((f) => f.name === 'nodes'), edges = frames.find((f) => f.name === 'edges');
		if (!nodes || !edges)
			throw new Error('no nodes or edges frame');
		for (const [f, names] of [[nodes, ['id', 'title', 'subtitle', 'mainstat']], [edges, ['id', 'source', 'target']]])
			for (const n of names)
				if (!f.fields.some((x) => x.name === n))
					throw new Error(`${f.name}: no ${n} field`);
		if (follows && threads) {
			const title = new Map(nodes.fields[0].values.map((id, i) => [id, nodes.fields[1].values[i]]));
			const src = edges.fields.find((x) => x.name === 'source').values;
			const dst = edges.fields.find((x) => x.name === 'target').values;
			src.forEach((s, i) => {
				if (!chosen(title.get(s) || '', threads) && !chosen(title.get(dst[i]) || '', threads))
					throw new Error(`edge ${s} -> ${dst[i]} touches none of ${threads.join(', ')}`);
			});
		}
	}
	for (const f of frames) {
		const src = f.fields.find((x) => x.name === 'source'), dst = f.fields.find((x) => x.name === 'target');
		if (p.type !== 'table' || !follows || !threads || !src || !dst)
			continue;
		src.values.forEach((s, i) => {
			if (!chosen(s, threads) && !chosen(dst.values[i], threads))
				throw new Error(`link ${s} -> ${dst.values[i]} touches none of ${threads.join(', ')}`);
		});
	}
}

/* What the panel shows of its frames: transformed as Grafana would, then checked. */
async function checkPanelFrames(p, frames, vars) {
	checkLinks(p, frames, vars);
	const out = p.transformations && p.transformations.length
		? await firstValueFrom(transformDataFrame(p.transformations, frames, context(vars))) : frames;
	const shown = [];
	for (const f of out)
		for (const fl of f.fields)
			if (fl.type === 'number')
				shown.push([f, getFieldDisplayName(fl, f, out)]);
	for (const [f, name] of shown)
		if (f.name && name.startsWith(`${f.name} ${f.name}`))
			throw new Error(`series shown as "${name}"`);
	const ranks = p.type === 'bargauge' && p.options && p.options.reduceOptions &&
		!p.options.reduceOptions.values;
	if (ranks) {
		const totals = shown.filter(([, n]) => /(^|: )Total$/.test(n));
		if (totals.length)
			throw new Error(`ranks ${totals.map(([, n]) => n).join(', ')} among ${shown.length} series`);
		if (shown.length < 2)
			throw new Error(`ranks ${shown.length} series`);
	}
	return out;
}

/* Transformations see the dashboard's variables, as in Grafana ($min_latency in a filter). */
function context(vars) {
	return { interpolate: (v) => interp(v, vars) };
}

async function runInfinityTarget(base, t, vars, fromMs, toMs) {
	const v = { ...vars, __from: fromMs, __to: toMs };
	const qs = (t.url_options.params || []).map((p) => `${encodeURIComponent(p.key)}=${encodeURIComponent(interp(p.value, v))}`).join('&');
	const r = await fetch(`${base}${t.url}?${qs}`);
	const text = await r.text();
	if (r.status !== 200)
		throw new Error(`GET ${t.url}: HTTP ${r.status}: ${text.slice(0, 300)}`);
	const rows = JSON.parse(text);
	if (!Array.isArray(rows) || !rows.length)
		throw new Error(`GET ${t.url}: not a non-empty array`);
	for (const c of t.columns || [])
		for (const row of rows) {
			const x = row[c.selector];
			/* A JSON null is an empty cell of a string column (a state without label). */
			const ok = c.type === 'number' ? typeof x === 'number' : c.type === 'string' ? typeof x === 'string' || x === null :
				c.type === 'timestamp_epoch' ? Number.isInteger(x) : x !== undefined;
			if (!ok)
				throw new Error(`GET ${t.url}: column ${c.selector} is ${JSON.stringify(x)}, not ${c.type}`);
		}
	return rows;
}

/* ---- the kernel analyses' panels ---- */

/* The output each target reads: the payload's, an Infinity URL's argument, or a target's second part. */
function outputsOf(p, vars) {
	return (p.targets || []).map((t) => {
		if (t.payload && t.payload.output)
			return interp(t.payload.output, vars);
		const prm = ((t.url_options && t.url_options.params) || []).find((x) => x.key === 'output');
		if (prm)
			return prm.value;
		const parts = String(t.target || '').split('?')[0].split(/(?<!\\)\//);
		return (parts[1] || '').replace(/\\(.)/g, '$1');
	});
}

/* A field's config value as Grafana resolves it: a matching override, the field's own, the panel's default. */
function effective(p, field, frame, frames, keys) {
	const get = (o) => keys.reduce((x, k) => (x == null ? undefined : x[k]), o);
	const name = getFieldDisplayName(field, frame, frames);
	let v;
	for (const o of (p.fieldConfig && p.fieldConfig.overrides) || []) {
		const m = o.matcher || {};
		const re = m.id === 'byRegexp' ? new RegExp(`^(${m.options})$`) : null;
		const hit = (m.id === 'byName' && (m.options === name || m.options === field.name)) ||
			(re && (re.test(name) || re.test(field.name))) || (m.id === 'byType' && m.options === field.type);
		for (const prop of hit ? o.properties || [] : [])
			if (prop.id === keys.join('.'))
				v = prop.value;
	}
	if (v !== undefined)
		return v;
	const own = get(field.config || {});
	return own !== undefined ? own : get((p.fieldConfig && p.fieldConfig.defaults) || {});
}

function checkKernelPanel(p, outputs, raw, shown, vars) {
	const is = (s) => outputs.some((o) => o.endsWith(s));
	const nums = (frames) => frames.flatMap((f) => f.fields.filter((x) => x.type === 'number').map((x) => [f, x]));
	if (is('Latency vs Time') && p.type === 'timeseries') {
		if (!nums(raw).length)
			throw new Error('no latency series');
		for (const [f, x] of nums(raw))
			if (!(x.config && x.config.custom && x.config.custom.drawStyle === 'points'))
				throw new Error(`series ${f.name} comes without drawStyle points`);
		for (const [f, x] of nums(shown)) {
			if (effective(p, x, f, shown, ['custom', 'drawStyle']) !== 'points')
				throw new Error(`${x.name} drawn as lines`);
			if (effective(p, x, f, shown, ['unit']) !== 'ns')
				throw new Error(`${x.name}: latency unit ${effective(p, x, f, shown, ['unit'])}`);
		}
	}
	if (is('Latency Statistics') && p.type === 'table') {
		const by = new Map(shown.flatMap((f) => f.fields.map((x) => [x.name, [f, x]])));
		for (const n of ['Minimum', 'Maximum', 'Average', 'Total']) {
			const fx = by.get(n);
			if (!fx || fx[1].type !== 'number')
				throw new Error(`${n} is ${fx ? fx[1].type : 'missing'}, not a number (it would sort as text)`);
			if (effective(p, fx[1], fx[0], shown, ['unit']) !== 'ns')
				throw new Error(`${n}: unit ${effective(p, fx[1], fx[0], shown, ['unit'])}, not ns`);
		}
		for (const sb of (p.options && p.options.sortBy) || [])
			if (!by.has(sb.displayName) || by.get(sb.displayName)[1].type !== 'number')
				throw new Error(`sorted by ${sb.displayName}, not a numeric column`);
	}
	if (is('Latency Density')) {
		if (p.type !== 'barchart')
			throw new Error(`a density is drawn as bars, not ${p.type}`);
		for (const f of shown.filter((x) => x.length > 0)) {
			const x = p.options && p.options.xField ? f.fields.find((y) => y.name === p.options.xField) : f.fields[0];
			if (!x || x.type !== 'number')
				throw new Error(`the density's x (${x && x.name}) is ${x && x.type}, not a duration number`);
			if (effective(p, x, f, shown, ['unit']) !== 'ns')
				throw new Error(`the density's x unit is ${effective(p, x, f, shown, ['unit'])}`);
		}
	}
	if (is('Disk I/O View') && p.type === 'timeseries')
		for (const [f, x] of nums(shown))
			if (!['Bps', 'binBps'].includes(effective(p, x, f, shown, ['unit'])))
				throw new Error(`${x.name} is not in bytes per second`);
	if (is('Critical Path')) {
		/* The path of the thread asked for: its row ("[comm,tid]") on it, first in a timeline. */
		const tids = (p.targets || []).flatMap((t) => [(/[?&]tid=([^&]+)/.exec(interp(String(t.target || ''), vars)) || [])[1],
			interp(String((t.payload && t.payload.tid) || ''), vars),
			...((t.url_options && t.url_options.params) || []).filter((x) => x.key === 'tid').map((x) => interp(x.value, vars))]);
		const tid = tids.find((x) => /^\d+$/.test(x || ''));
		if (!tid)
			throw new Error(`no tid in ${JSON.stringify(tids)}`);
		const names = p.type === 'state-timeline'
			? shown.flatMap((f) => f.fields.filter((x) => x.type !== 'time').map((x) => x.name))
			: shown.flatMap((f) => f.fields.filter((x) => ['source', 'target', 'name'].includes(x.name)).flatMap((x) => x.values.map(String)));
		if (!names.some((n) => n.endsWith(`,${tid}]`)))
			throw new Error(`thread ${tid} is not on its path (${names.slice(0, 6).join(', ')})`);
		if (p.type === 'state-timeline' && !names[0].endsWith(`,${tid}]`))
			throw new Error(`the path starts at ${names[0]}, not at thread ${tid}`);
	}
	if (is('Memory Usage') && p.type === 'timeseries')
		for (const [f, x] of nums(shown))
			if (!['bytes', 'decbytes'].includes(effective(p, x, f, shown, ['unit'])))
				throw new Error(`${x.name} is not in bytes`);
}

/*
 * A "filter data by values" on a dashboard variable ($min_latency): only
 * values at or over it shown, something shown, something taken away.
 */
function checkVariableFilters(p, raw, shown, vars) {
	for (const t of p.transformations || []) {
		if (t.id !== 'filterByValue')
			continue;
		for (const f of (t.options && t.options.filters) || []) {
			const text = String((f.config && f.config.options && f.config.options.value) || '');
			if (!text.includes('$') || !['greaterOrEqual', 'greater'].includes(f.config.id))
				continue;
			const min = Number(interp(text, vars));
			if (!(min > 0))
				throw new Error(`filter ${f.fieldName}: ${text} gives ${interp(text, vars)}`);
			const values = shown.flatMap((fr) => fr.fields.filter((x) => x.name === f.fieldName).flatMap((x) => x.values));
			if (!values.length)
				throw new Error(`filter ${f.fieldName} >= ${min}: nothing shown`);
			const under = values.filter((v) => !(typeof v === 'number' && v >= min));
			if (under.length)
				throw new Error(`filter ${f.fieldName} >= ${min}: ${under.length} values under it shown`);
			if (!raw.some((fr) => fr.fields.some((x) => x.type === 'number' && x.values.some((v) => typeof v === 'number' && v < min))))
				throw new Error(`filter ${f.fieldName} >= ${min}: nothing under it to filter out`);
		}
	}
}

/*
 * A data link's URL with its variables resolved the way @grafana/scenes'
 * macros do for a clicked value (row of a frame): ${__value.time|raw|numeric},
 * ${__data.fields.NAME[.numeric|.text]}, and dashboard variables; each value
 * URI-encoded as Grafana's link supplier asks.
 */
const THEME = grafanaData.createTheme();
/* Grafana's display processor formats with the browser's languages (tap.cjs's navigator has none). */
if (!Array.isArray(globalThis.navigator.languages))
	globalThis.navigator.languages = ['en-US'];

function resolveLink(url, vars, frame, rowIndex, field) {
	/* A value as the macros give it: .numeric / .raw the number, else Grafana's display text. */
	const shown = (fl, keys) => {
		const v = fl.values[rowIndex];
		if (keys.includes('numeric') || keys.includes('raw'))
			return v;
		const proc = fl.display || grafanaData.getDisplayProcessor({ field: fl, theme: THEME, timeZone: 'utc' });
		return grafanaData.formattedValueToString(proc(v));
	};
	return url.replace(/\$\{(\w+)((?:\.\w+)*)(?::(\w+))?\}|\$(\w+)/g, (all, a, pathPart, fmt, b) => {
		const name = a || b;
		const keys = (pathPart || '').split('.').filter(Boolean);
		let v;
		if (name === '__value') {
			if (keys[0] === 'time') {
				const t = frame.fields.find((x) => x.type === 'time');
				v = t ? t.values[rowIndex] : '';
			} else {
				v = shown(field, keys);
			}
		} else if (name === '__data' && keys[0] === 'fields') {
			const fl = frame.fields.find((x) => x.name === keys[1]);
			v = fl ? shown(fl, keys.slice(2)) : '';
		} else if (name in vars) {
			const x = vars[name];
			v = x instanceof AllValue ? x.value : Array.isArray(x) ? x.join(',') : x;
		} else {
			return all;
		}
		return encodeURIComponent(v === null || v === undefined ? '' : String(v));
	});
}

async function checkLinks(base, p, frames, vars, dashboards, range) {
	const links = [...(((p.fieldConfig || {}).defaults || {}).links || []),
		...(((p.fieldConfig || {}).overrides) || []).flatMap((o) => (o.properties || []).filter((x) => x.id === 'links').flatMap((x) => x.value))];
	if (!links.length)
		return 0;
	let clicked = 0;
	for (const frame of frames.filter((f) => f.length > 0)) {
		const field = p.type === 'table' ? frame.fields[0] : frame.fields.find((x) => x.type !== 'time' && x.values.some((v) => v != null));
		if (!field)
			continue;
		const rows = [...field.values.keys()].filter((i) => field.values[i] != null).slice(0, 3);
		for (const i of rows)
			for (const l of links) {
				clicked++;
				const href = resolveLink(l.url, vars, frame, i, field);
				if (/\$\{|\$__/.test(href))
					throw new Error(`unresolved variable in ${href}`);
				const u = new URL(href, 'http://grafana.invalid');
				const m = /^\/d\/([^/]+)/.exec(u.pathname);
				const target = m && dashboards.get(m[1]);
				if (!target)
					throw new Error(`${href} opens no dashboard of this folder`);
				const q = u.searchParams;
				let from, to;
				if (q.has('from') && q.has('to')) {
					from = Number(q.get('from'));
					to = Number(q.get('to'));
				} else if (q.has('time') && q.has('time.window')) {
					const w = q.get('time.window');
					const ms = /^\d+$/.test(w) ? Number(w) : grafanaData.rangeUtil.intervalToMs(w);
					from = Number(q.get('time')) - ms / 2;
					to = Number(q.get('time')) + ms / 2;
				} else {
					throw new Error(`${href} carries no time range`);
				}
				if (!(Number.isFinite(from) && Number.isFinite(to) && from < to))
					throw new Error(`${href}: range ${from}..${to}`);
				const tf = (p.type === 'table' && frame.fields.find((x) => x.name === 'start')) || frame.fields.find((x) => x.type === 'time');
				const t0 = tf ? Number(tf.values[i]) : NaN;
				if (!(from <= t0 && t0 <= to))
					throw new Error(`${href} does not hold the value's time ${t0}`);
				const ef = p.type === 'table' && frame.fields.find((x) => x.name === 'end');
				if (ef && q.has('from') && (from !== t0 || to !== Number(ef.values[i])))
					throw new Error(`${href} is not the row's interval ${t0}..${ef.values[i]}`);
				for (const [k, val] of q) {
					if (!k.startsWith('var-'))
						continue;
					const tv = ((target.templating && target.templating.list) || []).find((x) => x.name === k.slice(4));
					if (!tv)
						throw new Error(`${m[1]} has no variable ${k.slice(4)}`);
					/* A text box holding a number (a tid) gets a number. */
					if (tv.type === 'textbox' && /^\d+$/.test(String((tv.current && tv.current.value) || '')) && !/^\d+$/.test(val))
						throw new Error(`${m[1]}'s ${tv.name} is a number, the link gives "${val}"`);
					if (tv.type === 'query') {
						const tq = interp(tv.query.query || tv.query, { experiment: q.get('var-experiment') || '' });
						const items = await post(base, '/variable', { payload: { target: tq }, range });
						const texts = items.map((x) => x.__text);
						if (!texts.includes(val))
							throw new Error(`${m[1]}'s ${tv.name} offers no "${val}"`);
					}
				}
			}
	}
	if (!clicked)
		throw new Error('no value to click a link on');
	return clicked;
}

/* Infinity's rows as the frame Grafana makes of them with the declared columns. */
function infinityFrame(t, rows) {
	const cols = t.columns || [];
	return { name: t.refId, length: rows.length, fields: cols.map((c) => ({ name: c.text || c.selector, config: {},
		type: c.type === 'timestamp_epoch' ? 'time' : c.type, values: rows.map((r) => r[c.selector]) })) };
}

/* The kernel checks fail where they should: canned panels and frames, no bridge (run first, every time). */
async function selfTest() {
	const frame = (fields, name) => toDataFrame({ name, fields });
	const scatter = (style) => [frame([{ name: 'time', type: 'time', values: [1, 2] },
		{ name: 'read', type: 'number', values: [5, 5000], config: { unit: 'ns', custom: { drawStyle: style } } }], 'read')];
	const sp = { type: 'timeseries', fieldConfig: { defaults: {} } };
	const stats = (t) => [frame(['Minimum', 'Maximum', 'Average', 'Total'].map((n) => ({ name: n, type: t, values: [t === 'number' ? 3 : '3 ns'], config: { unit: 'ns' } })))];
	const dens = (t) => [frame([{ name: 'start', type: t, values: [0, 10], config: { unit: 'ns' } }, { name: 'read', type: 'number', values: [3, 1] }])];
	const fp = { transformations: [{ id: 'filterByValue', options: { filters: [{ fieldName: 'read', config: { id: 'greaterOrEqual', options: { value: '$min_latency' } } }] } }] };
	const rows = [frame([{ name: 'start', type: 'time', values: [100] }, { name: 'end', type: 'time', values: [250] }])];
	const dashboards = new Map([['kv', { uid: 'kv', templating: { list: [{ name: 'experiment', type: 'textbox' }] } }]]);
	const link = (url) => ({ type: 'table', fieldConfig: { defaults: { links: [{ url }] } } });
	const vars = { experiment: 'kernel', min_latency: '1000' };
	const cases = [
		['scatter drawn as points passes', () => checkKernelPanel(sp, ['x/System Call Latency - Latency vs Time'], scatter('points'), scatter('points'), vars), null],
		['scatter series without drawStyle points', () => checkKernelPanel(sp, ['x/System Call Latency - Latency vs Time'], scatter('line'), scatter('line'), vars), /drawStyle points/],
		['statistics as text', () => checkKernelPanel({ type: 'table' }, ['Latency Statistics'], stats('string'), stats('string'), vars), /not a number/],
		['statistics as numbers pass', () => checkKernelPanel({ type: 'table' }, ['Latency Statistics'], stats('number'), stats('number'), vars), null],
		['density over times', () => checkKernelPanel({ type: 'barchart', options: { xField: 'start' } }, ['Latency Density'], dens('time'), dens('time'), vars), /duration number/],
		['density drawn as lines', () => checkKernelPanel({ type: 'timeseries' }, ['Latency Density'], dens('number'), dens('number'), vars), /drawn as bars/],
		['values under the filter shown', () => checkVariableFilters(fp, scatter('points'), scatter('points'), vars), /under it shown/],
		['a link to an unknown dashboard', () => checkLinks('', link('/d/nope/x?from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'), rows, vars, dashboards, {}), /no dashboard/],
		['a link with an empty range', () => checkLinks('', link('/d/kv/x?from=${__data.fields.start.numeric}&to=${__data.fields.start.numeric}'), rows, vars, dashboards, {}), /range/],
		['a link without range', () => checkLinks('', link('/d/kv/x?var-experiment=${experiment}'), rows, vars, dashboards, {}), /no time range/],
		['a link beside the value', () => checkLinks('', link('/d/kv/x?time=${__data.fields.end.numeric}&time.window=10ms'), rows, vars, dashboards, {}), /does not hold/],
		['a link to a missing variable', () => checkLinks('', link('/d/kv/x?var-nope=1&from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'), rows, vars, dashboards, {}), /no variable/],
		['a link on the row\'s displayed times', () => checkLinks('', link('/d/kv/x?from=${__data.fields.start}&to=${__data.fields.end}'), rows, vars, dashboards, {}), /range|does not hold/],
		['a number variable given text', () => checkLinks('', link('/d/tid/x?var-tid=${__data.fields.label}&from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'),
			[frame([{ name: 'start', type: 'time', values: [100] }, { name: 'end', type: 'time', values: [250] }, { name: 'label', type: 'string', values: ['bash (316)'] }])],
			vars, new Map([['tid', { uid: 'tid', templating: { list: [{ name: 'tid', type: 'textbox', current: { value: '363' } }] } }]]), {}), /is a number/],
		['a link on the row passes', () => checkLinks('', link('/d/kv/x?var-experiment=${experiment}&from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'), rows, vars, dashboards, {}), null],
	];
	for (const [name, fn, want] of cases) {
		let err = null;
		try {
			await fn();
		} catch (e) {
			err = e;
		}
		report(want ? !!err && want.test(err.message) : !err, `self-test: ${name}`, err ? err.message : 'not rejected');
	}
}

async function main() {
	const base = arg('--base'), dir = arg('--dir'), prov = arg('--provisioning');
	if (!base || !dir || !prov) {
		console.error('usage: check-dashboards.cjs --base URL --dir DASHBOARDS --provisioning DATASOURCES_DIR');
		process.exit(2);
	}
	await selfTest();
	const ds = provisioned(prov);
	report(ds.length >= 2, 'provisioned datasources', JSON.stringify(ds));
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
	report(files.length >= 3, 'dashboards found', files.join(', '));
	const all = new Map(files.map((f) => [f, JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'))]));
	const dashboards = new Map([...all.values()].map((d) => [d.uid, d]));
	for (const file of files) {
		const d = all.get(file);
		structure(d, file, ds);
		const fromMs = Date.parse(d.time.from), toMs = Date.parse(d.time.to);
		const range = { from: d.time.from, to: d.time.to, raw: d.time };
		const vars = await resolveVars(base, d, file, range);
		for (const p of d.panels || []) {
			const frames = [], infFrames = [];
			for (const t of p.targets || []) {
				const dsType = (t.datasource || p.datasource).type;
				const name = `${file}: panel ${p.id} "${p.title}" target ${t.refId}`;
				try {
					let n;
					if (dsType === 'yesoreyeram-infinity-datasource') {
						const rows = await runInfinityTarget(base, t, vars, fromMs, toMs);
						infFrames.push(infinityFrame(t, rows));
						n = rows.length;
					} else {
						const fr = await runJsonTarget(base, t, vars, range, fromMs, toMs);
						frames.push(...fr);
						n = fr.length;
					}
					report(n > 0, name, 'empty');
				} catch (e) {
					report(false, name, e.message);
				}
			}
			if (infFrames.length) {
				try {
					const shown = p.transformations && p.transformations.length
						? await firstValueFrom(transformDataFrame(p.transformations, infFrames.map(toDataFrame), context(vars))) : infFrames;
					checkKernelPanel(p, outputsOf(p, vars), shown, shown, vars);
					const n = await checkLinks(base, p, shown, vars, dashboards, range);
					report(true, `${file}: panel ${p.id} "${p.title}" as shown${n ? `, ${n} links followed` : ''}`);
				} catch (e) {
					report(false, `${file}: panel ${p.id} "${p.title}" as shown`, e.message);
				}
			}
			if (!frames.length)
				continue;
			try {
				const shown = await checkPanelFrames(p, frames, vars);
				checkKernelPanel(p, outputsOf(p, vars), frames, shown, vars);
				checkVariableFilters(p, frames, shown, vars);
				const n = await checkLinks(base, p, shown, vars, dashboards, range);
				report(true, `${file}: panel ${p.id} "${p.title}" as shown${n ? `, ${n} links followed` : ''}`);
			} catch (e) {
				report(false, `${file}: panel ${p.id} "${p.title}" as shown`, e.message);
			}
		}
		for (const a of (d.annotations && d.annotations.list) || []) {
			try {
				await runJsonTarget(base, a.target, vars, range, fromMs, toMs);
				report(true, `${file}: annotation ${a.name}`);
			} catch (e) {
				report(false, `${file}: annotation ${a.name}`, e.message);
			}
		}
	}
	finish();
}

main().catch((e) => {
	console.error(e && e.stack ? e.stack : e);
	process.exit(1);
});
