// Turns the raw numbers of scripts/bench.sh into the markdown of BENCHMARKS.md.
// Usage: node bench/report.mjs OUT_DIR "command that produced them"
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [dir, command] = process.argv.slice(2);
const read = (f) => {
	const p = path.join(dir, f);
	return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
};
const json = (f) => {
	const t = read(f);
	return t ? JSON.parse(t) : null;
};
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const ms = (us) => (us / 1000).toFixed(2);
const out = [];
const say = (s = '') => out.push(s);

say(`Produced by \`${command}\` on ${new Date().toISOString().slice(0, 10)}, ` +
	`${os.cpus().length} CPUs (${os.cpus()[0].model.trim()}), Node ${process.version}.`);
say();

const tr = json('translate.json');
const nd = json('node.json');
const LABEL = {
	xy: 'XY, 100 series x 2000 points',
	'tg-states': 'time graph states -> intervals',
	'tg-arrows': 'time graph arrows',
	table: 'events table lines',
};
if (tr) {
	say('### Translation: TSP answer text -> Grafana data frames (one core)');
	say();
	say('| case | TSP MB | items | tsp-bridge MB/s | items/s | TS client MB/s | x | JSONata MB/s | x |');
	say('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
	for (const [k, r] of Object.entries(tr)) {
		const n = nd && (nd[k] || nd[k.replace('tg-', '')] || nd[k + '-lines']);
		const ts = n ? `${f1(n.tsclient_mb_s)} | ${f1(r.mb_s / n.tsclient_mb_s)}x` : '- | -';
		const ja = n ? `${f1(n.jsonata_mb_s)} | ${f1(r.mb_s / n.jsonata_mb_s)}x` : '- | -';
		say(`| ${LABEL[k] || k} | ${(r.bytes / 1e6).toFixed(2)} | ${r.items} | ${f1(r.mb_s)} | ` +
			`${Math.round(r.items_s).toLocaleString('en-US')} | ${ts} | ${ja} |`);
	}
	say();
	say('tsp-bridge: parse (json_fast) + model + frames + data-frame JSON written. ' +
		'TS client: the text through tsp-typescript-client\'s own parse and normalizers. ' +
		'JSONata: JSON.parse + a compiled expression to the same frames. "x" is how many times faster tsp-bridge is.');
	say();
}

const wrk = (read('wrk.jsonl') || '').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const rss = json('rss.json');
const find = (name, c) => wrk.find((w) => w.name === name && w.conns === c);
if (wrk.length) {
	say(`### /query of one ${rss ? rss.panel.split(' ')[1] : '?'}-point panel (${rss ? rss.panel.split(' ')[0] : '?'} series), wrk on loopback`);
	say();
	say('| served by | connections | requests/s | p50 ms | p99 ms | errors |');
	say('|---|---:|---:|---:|---:|---:|');
	for (const w of wrk.filter((x) => x.name !== 'bridge-long')) {
		const r = w.wrk;
		const rps = r.requests / (r.duration_us / 1e6);
		say(`| ${w.name} | ${w.conns} | ${Math.round(rps).toLocaleString('en-US')} | ${ms(r.p50_us)} | ` +
			`${ms(r.p99_us)} | ${r.non2xx + r.socket_errors} |`);
	}
	say();
	say('direct-tsp is tspsim answering the same TSP request the bridge makes; bridge-uncached runs with ' +
		'`--cache-mb 0` (every request goes upstream, is parsed and translated); bridge-cached is the default ' +
		'configuration asked the same panel again and again; bridge-cached-gzip the same with ' +
		'`Accept-Encoding: gzip`, as Grafana\'s backend sends it; bridge-cached-400pt a one-series, 400-point panel ' +
		'(`kernel/CPU Usage/Total`).');
	say();
	say('Added latency of the bridge over a direct TSP fetch (bridge-uncached minus direct-tsp):');
	say();
	say('| connections | p50 ms | p99 ms |');
	say('|---:|---:|---:|');
	for (const c of [1, 64, 512]) {
		const a = find('bridge-uncached', c);
		const d = find('direct-tsp', c);
		if (a && d)
			say(`| ${c} | ${ms(a.wrk.p50_us - d.wrk.p50_us)} | ${ms(a.wrk.p99_us - d.wrk.p99_us)} |`);
	}
	say();
}
if (rss) {
	say(`Peak RSS after all of the above: cached bridge ${(rss.cached_hwm_kb / 1024).toFixed(1)} MiB ` +
		`(now ${(rss.cached_rss_kb / 1024).toFixed(1)} MiB), uncached bridge ${(rss.uncached_hwm_kb / 1024).toFixed(1)} MiB.`);
	say();
}
const long = find('bridge-long', 64);
const samples = (read('rss-long.txt') || '').trim().split('\n').filter(Boolean).map(Number);
const health = json('health-long.json');
if (long && samples.length > 10) {
	const r = long.wrk;
	const mib = (kb) => (kb / 1024).toFixed(1);
	const warm = samples.slice(5);
	const mid = warm[Math.floor(warm.length / 2)];
	say(`### Memory over a long run (${(r.duration_us / 1e6).toFixed(0)} s, 64 connections, a new question per request, \`--cache-mb 16\`)`);
	say();
	say(`${r.requests.toLocaleString('en-US')} requests (${Math.round(r.requests / (r.duration_us / 1e6))}/s), ` +
		`${r.non2xx + r.socket_errors} errors (non-2xx or socket). RSS after 5 s ${mib(warm[0])} MiB, at half time ${mib(mid)} MiB, ` +
		`max ${mib(Math.max(...warm))} MiB, at the end ${mib(warm[warm.length - 1])} MiB.`);
	if (health && health.bridge && health.bridge.cache) {
		const c = health.bridge.cache;
		say(`Cache at the end: ${c.entries} entries, ${(c.bytes / 1048576).toFixed(1)} of ${(c.max_bytes / 1048576).toFixed(0)} MiB, ` +
			`${c.misses} misses, ${c.hits} hits, ${c.coalesced} coalesced, ${c.evictions} evictions.`);
	}
	say();
}
process.stdout.write(out.join('\n') + '\n');
