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
		if (v.type !== 'query')
			continue;
		const target = interp(v.query.query, vars);
		try {
			const items = await post(base, '/variable', { payload: { target }, range });
			const frame = toDataFrame(items);
			const texts = (frame.fields.find((f) => f.name === '__text') || { values: [] }).values;
			const want = v.current && v.current.value !== undefined ? v.current.value : undefined;
			const wanted = want === undefined ? [] : Array.isArray(want) ? want : [want];
			const ok = texts.length > 0 && wanted.every((w) => texts.includes(w));
			report(ok, `${file}: variable ${v.name} (${target})`, `values [${texts.join(', ')}], default ${JSON.stringify(want)}`);
			vars[v.name] = wanted.length ? (v.multi ? wanted : wanted[0]) : texts[0];
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
		? await firstValueFrom(transformDataFrame(p.transformations, frames)) : frames;
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
	return shown.length;
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
			const ok = c.type === 'number' ? typeof x === 'number' : c.type === 'string' ? typeof x === 'string' :
				c.type === 'timestamp_epoch' ? Number.isInteger(x) : x !== undefined;
			if (!ok)
				throw new Error(`GET ${t.url}: column ${c.selector} is ${JSON.stringify(x)}, not ${c.type}`);
		}
	return rows.length;
}

async function main() {
	const base = arg('--base'), dir = arg('--dir'), prov = arg('--provisioning');
	if (!base || !dir || !prov) {
		console.error('usage: check-dashboards.cjs --base URL --dir DASHBOARDS --provisioning DATASOURCES_DIR');
		process.exit(2);
	}
	const ds = provisioned(prov);
	report(ds.length >= 2, 'provisioned datasources', JSON.stringify(ds));
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
	report(files.length >= 3, 'dashboards found', files.join(', '));
	for (const file of files) {
		const d = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
		structure(d, file, ds);
		const fromMs = Date.parse(d.time.from), toMs = Date.parse(d.time.to);
		const range = { from: d.time.from, to: d.time.to, raw: d.time };
		const vars = await resolveVars(base, d, file, range);
		for (const p of d.panels || []) {
			const frames = [];
			for (const t of p.targets || []) {
				const dsType = (t.datasource || p.datasource).type;
				const name = `${file}: panel ${p.id} "${p.title}" target ${t.refId}`;
				try {
					let n;
					if (dsType === 'yesoreyeram-infinity-datasource') {
						n = await runInfinityTarget(base, t, vars, fromMs, toMs);
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
			if (!frames.length)
				continue;
			try {
				await checkPanelFrames(p, frames, vars);
				report(true, `${file}: panel ${p.id} "${p.title}" as shown`);
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
