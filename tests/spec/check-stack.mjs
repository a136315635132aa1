#!/usr/bin/env node
// Checks the demo stack's files with a real YAML parser (no Docker engine
// runs here): docker-compose.yml, the Grafana provisioning, and that the
// Dockerfiles build with the README's commands; then the replicas stack,
// docker-compose.replicas.yml, against docker/haproxy.cfg (its bridges'
// names and ports, the load balancer's health check and retries).
//
//   node check-stack.mjs --root REPO
//
// One line per check; exit 1 on a failure.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const root = process.argv[process.argv.indexOf('--root') + 1];
if (!root || process.argv.indexOf('--root') < 0) {
  console.error('usage: check-stack.mjs --root REPO');
  process.exit(2);
}
let failed = 0;
function check(name, ok, why = '') {
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${ok ? '' : `: ${why}`}`);
}
const read = (p) => fs.readFileSync(path.join(root, p), 'utf8');
const yaml = (p) => {
  // merge: Compose reads YAML merge keys (<<), so the check must too.
  const doc = YAML.parseDocument(read(p), { merge: true });
  check(`${p} parses`, doc.errors.length === 0, doc.errors.map(String).join('; '));
  return doc.toJS();
};

const compose = yaml('docker-compose.yml');
const sv = compose.services || {};
check('services trace-server, bridge, grafana', ['trace-server', 'bridge', 'grafana'].every((s) => sv[s]),
  Object.keys(sv).join(', '));
for (const s of ['trace-server', 'bridge'])
  check(`${s} has a health check`, Array.isArray(sv[s]?.healthcheck?.test), JSON.stringify(sv[s]?.healthcheck));
check('bridge waits for a healthy trace server', sv.bridge?.depends_on?.['trace-server']?.condition === 'service_healthy');
check('grafana waits for a healthy bridge', sv.grafana?.depends_on?.bridge?.condition === 'service_healthy');
const env = sv.bridge?.environment || {};
check('bridge points at the trace server', /^http:\/\/trace-server:8080\/tsp\/api$/.test(env.TSPB_UPSTREAM || ''), env.TSPB_UPSTREAM);
check('bridge listens on all addresses', env.TSPB_LISTEN === '0.0.0.0');
check('bridge opens the sample trace', !!env.TSPB_OPEN_TRACE && !!env.TSPB_EXPERIMENT);
for (const s of ['trace-server', 'bridge']) {
  const df = sv[s]?.build?.dockerfile;
  check(`${s} Dockerfile exists`, !!df && fs.existsSync(path.join(root, df)), df);
}

const ds = yaml('grafana/provisioning/datasources/tsp-bridge.yaml').datasources || [];
const apps = yaml('grafana/provisioning/plugins/tsp-bridge.yaml').apps || [];
const prov = yaml('grafana/provisioning/dashboards/tsp-bridge.yaml').providers || [];
for (const d of ds)
  check(`datasource ${d.uid} points at the bridge`, d.url === 'http://bridge:8090', d.url);

// The Grafana service of a stack (both share grafana/provisioning/); p prefixes the check names.
function checkGrafana(p, grafana) {
  const genv = grafana?.environment || {};
  const mounts = (grafana?.volumes || []).map((v) => v.split(':'));
  const image = /^grafana\/grafana(-oss)?:(\d+)\./.exec(grafana?.image || '');
  check(`${p}Grafana 12 or later`, !!image && Number(image[2]) >= 12, grafana?.image);
  // The app plugin: its build mounted in the plugins folder, loadable unsigned, enabled.
  const pluginDir = path.join(root, 'grafana/plugin/src');
  const appId = JSON.parse(read('grafana/plugin/src/plugin.json')).id;
  const dsId = JSON.parse(read('grafana/plugin/src/datasource/plugin.json')).id;
  const panelId = JSON.parse(read('grafana/plugin/src/panel/plugin.json')).id;
  check(`${p}plugin sources exist`, fs.existsSync(pluginDir));
  check(`${p}the plugin build is mounted in Grafana's plugins folder`,
    mounts.some(([src, dst]) => src === './grafana/plugin/dist' && dst.startsWith('/var/lib/grafana/plugins/')),
    JSON.stringify(mounts));
  const unsigned = (genv.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS || '').split(',');
  check(`${p}the app, its datasource and panel may load unsigned`,
    [appId, dsId, panelId].every((id) => unsigned.includes(id)), unsigned.join(','));
  check(`${p}the app is enabled`, apps.some((a) => a.type === appId && !a.disabled), JSON.stringify(apps));
  const plugins = [...(genv.GF_PLUGINS_PREINSTALL_SYNC || genv.GF_PLUGINS_PREINSTALL || '').split(','), dsId];
  check(`${p}two or more datasources`, ds.length >= 2, JSON.stringify(ds));
  check(`${p}the default datasource is the plugin's`, ds.some((d) => d.type === dsId && d.isDefault), JSON.stringify(ds));
  for (const d of ds)
    check(`${p}datasource ${d.uid}'s plugin is installed`, plugins.includes(d.type), `${d.type} not in ${plugins}`);
  const dashMount = mounts.find(([src]) => src === './dashboards');
  const provMount = mounts.find(([src]) => src === './grafana/provisioning');
  check(`${p}dashboards are mounted where the provider loads them`,
    !!dashMount && prov.some((pr) => pr.options?.path === dashMount[1]), JSON.stringify({ mounts, prov }));
  check(`${p}provisioning is mounted at /etc/grafana/provisioning`, !!provMount && provMount[1] === '/etc/grafana/provisioning');
  check(`${p}default credentials set`, !!genv.GF_SECURITY_ADMIN_PASSWORD);
}
checkGrafana('', sv.grafana);

// What the provider loads: every dashboard under ./dashboards, sub-folders
// included, in one Grafana folder, where a uid seen twice would replace a
// dashboard; the kernel analyses' dashboards among them, in both variants.
function dashboardFiles(dir) {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? dashboardFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []);
}
{
  const files = dashboardFiles('dashboards');
  const uids = new Map();
  for (const f of files) {
    const uid = JSON.parse(read(f)).uid;
    check(`provisioned dashboard ${f} has a uid of its own`, !!uid && !uids.has(uid), `${uid} also in ${uids.get(uid)}`);
    uids.set(uid, f);
  }
  for (const uid of ['tsp-kernel-resources', 'tsp-syscall-latency', 'tsp-io-memory'])
    for (const u of [uid, `${uid}-infinity`])
      check(`the provider loads dashboard ${u}`, uids.has(u), [...uids.keys()].join(', '));
  const legacy = fs.readdirSync(path.join(root, 'grafana/legacy/dashboards')).filter((f) => f.endsWith('.json'));
  for (const f of ['kernel-resources.json', 'syscall-latency.json', 'io-memory.json'])
    check(`the legacy dashboards hold ${f}`, legacy.includes(f), legacy.join(', '));
}

const bdf = read('docker/bridge.Dockerfile');
check('bridge Dockerfile builds with make and make install', /RUN make\b.*&& make install\b/.test(bdf));
const readme = read('README.md');
check('README gives the same build commands', readme.includes('make install') && /\bmake run\b/.test(readme));
check('README gives the URL and credentials', readme.includes('http://localhost:3000') && readme.includes('admin / admin'));

// haproxy's config as sections: [{ kind, name, lines: [[word, ...], ...] }].
function haproxyConfig(text) {
  const sections = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    const words = line.trim().split(/\s+/);
    if (!line.trim())
      continue;
    if (!/^\s/.test(line))
      sections.push({ kind: words[0], name: words[1] || '', lines: [] });
    else if (sections.length)
      sections[sections.length - 1].lines.push(words);
  }
  return sections;
}

// The replicas stack: docker-compose.replicas.yml and docker/haproxy.cfg.
const R = 'replicas: ';
const rsv = yaml('docker-compose.replicas.yml').services || {};
const built = (df) => Object.keys(rsv).filter((n) => !!df && rsv[n]?.build?.dockerfile === df);
const traces = built(sv['trace-server']?.build?.dockerfile);
const bridges = built(sv.bridge?.build?.dockerfile);
check(`${R}trace servers trace-a, trace-b, trace-c, from the demo stack's Dockerfile`,
  ['trace-a', 'trace-b', 'trace-c'].every((t) => traces.includes(t)), traces.join(', '));
check(`${R}two or more bridge replicas, from the demo stack's Dockerfile`, bridges.length >= 2, bridges.join(', '));
check(`${R}services haproxy and grafana`, !!rsv.haproxy && !!rsv.grafana, Object.keys(rsv).join(', '));
for (const t of traces)
  check(`${R}${t} has a health check`, Array.isArray(rsv[t]?.healthcheck?.test), JSON.stringify(rsv[t]?.healthcheck));
// Replicas are interchangeable only if they are configured alike.
const envOf = (b) => JSON.stringify(rsv[b]?.environment || {});
check(`${R}every bridge replica has the same environment`, bridges.every((b) => envOf(b) === envOf(bridges[0])),
  bridges.map(envOf).join(' | '));
for (const b of bridges) {
  const e = rsv[b]?.environment || {};
  check(`${R}${b} has a health check`, Array.isArray(rsv[b]?.healthcheck?.test), JSON.stringify(rsv[b]?.healthcheck));
  check(`${R}${b} listens on all addresses, on a port`, e.TSPB_LISTEN === '0.0.0.0' && /^\d+$/.test(String(e.TSPB_PORT)),
    JSON.stringify(e));
  check(`${R}${b} waits for healthy trace servers`,
    traces.every((t) => rsv[b]?.depends_on?.[t]?.condition === 'service_healthy'), JSON.stringify(rsv[b]?.depends_on));
  check(`${R}${b} has TSPB_UPSTREAMS and no single TSPB_UPSTREAM`, !!e.TSPB_UPSTREAMS && !e.TSPB_UPSTREAM, JSON.stringify(e));
}
// TSPB_UPSTREAMS, NAME=URL,...: each a trace server of the stack, each trace server once.
const benv = rsv[bridges[0]]?.environment || {};
const ups = String(benv.TSPB_UPSTREAMS || '').split(',').filter(Boolean).map((kv) => {
  const i = kv.indexOf('=');
  return i < 0 ? ['', kv] : [kv.slice(0, i), kv.slice(i + 1)];
});
check(`${R}TSPB_UPSTREAMS is a list of NAME=URL`, ups.length > 0 && ups.every(([n, u]) => /^[A-Za-z0-9_-]+$/.test(n) &&
  /^https?:\/\//.test(u)), benv.TSPB_UPSTREAMS);
check(`${R}upstream names are unique`, new Set(ups.map(([n]) => n)).size === ups.length, benv.TSPB_UPSTREAMS);
const upHosts = ups.map(([, u]) => /^http:\/\/([^:/]+):8080\/tsp\/api$/.exec(u)?.[1]);
check(`${R}every upstream is a trace server of the stack, at :8080/tsp/api`, upHosts.every((h) => traces.includes(h)),
  JSON.stringify(ups));
check(`${R}every trace server is an upstream`, traces.every((t) => upHosts.includes(t)), JSON.stringify(ups));

// haproxy: an image, docker/haproxy.cfg mounted where it reads its config.
const hp = rsv.haproxy || {};
check(`${R}haproxy image`, /^haproxy:\d+\.\d+/.test(hp.image || ''), hp.image);
const hpMount = (hp.volumes || []).map((v) => v.split(':')).find(([, dst]) => dst === '/usr/local/etc/haproxy/haproxy.cfg');
check(`${R}haproxy reads docker/haproxy.cfg`, !!hpMount && hpMount[0] === './docker/haproxy.cfg' &&
  fs.existsSync(path.join(root, 'docker/haproxy.cfg')), JSON.stringify(hp.volumes));
check(`${R}haproxy waits for healthy bridges`,
  bridges.every((b) => hp.depends_on?.[b]?.condition === 'service_healthy'), JSON.stringify(hp.depends_on));
const cfg = haproxyConfig(read('docker/haproxy.cfg'));
const lines = (sec, word) => (sec?.lines || []).filter((l) => l[0] === word);
const fe = cfg.find((s) => s.kind === 'frontend');
const be = cfg.find((s) => s.kind === 'backend' && s.name === lines(fe, 'default_backend')[0]?.[1]);
const defaults = cfg.find((s) => s.kind === 'defaults');
check(`${R}haproxy.cfg has a frontend and its default backend`, !!fe && !!be, JSON.stringify(cfg.map((s) => s.kind)));
const bindPort = Number(/:(\d+)$/.exec(lines(fe, 'bind')[0]?.[1] || '')?.[1]);
// Grafana's datasources reach haproxy: their host is its name or alias, their port its bind port.
const dsUrl = /^http:\/\/([^:/]+):(\d+)$/.exec(ds[0]?.url || '');
const hpNames = ['haproxy', ...(hp.networks?.default?.aliases || [])];
check(`${R}the datasources' host is haproxy, not a bridge`, !!dsUrl && hpNames.includes(dsUrl[1]) &&
  (dsUrl[1] === 'haproxy' || !rsv[dsUrl[1]]), `${ds[0]?.url} vs ${hpNames}`);
check(`${R}the datasources' port is haproxy's`, !!dsUrl && Number(dsUrl[2]) === bindPort, `${ds[0]?.url} vs bind ${bindPort}`);
check(`${R}haproxy's port is published`, (hp.ports || []).some((p) => String(p).endsWith(`:${bindPort}`)), JSON.stringify(hp.ports));
check(`${R}grafana waits for haproxy`, !!rsv.grafana?.depends_on?.haproxy, JSON.stringify(rsv.grafana?.depends_on));
// The servers: exactly the bridge replicas on their ports, each health-checked.
const servers = lines(be, 'server');
const want = bridges.map((b) => `${b}:${rsv[b]?.environment?.TSPB_PORT}`).sort();
const have = servers.map((s) => s[2]).sort();
check(`${R}haproxy.cfg's servers are the bridge replicas on their port`, JSON.stringify(have) === JSON.stringify(want),
  `${have} vs ${want}`);
check(`${R}every server is health-checked`, servers.length > 0 && servers.every((s) => s.includes('check')),
  JSON.stringify(servers));
const directives = [...(defaults?.lines || []), ...(be?.lines || [])].map((l) => l.join(' '));
const has = (re) => directives.some((d) => re.test(d));
check(`${R}round robin`, has(/^balance roundrobin$/), directives.join('; '));
check(`${R}health check GET /health?local=1 (no trace server asked), 200 expected`, has(/^option httpchk GET \/health\?local=1$/) &&
  has(/^http-check expect status 200$/), directives.join('; '));
check(`${R}a failed connection is retried on another replica`, has(/^retries [1-9]/) &&
  has(/^option redispatch\b/) && has(/^retry-on .*\bconn-failure\b/), directives.join('; '));
// All of haproxy's connections come from one address: under the bridge's per-address limit.
const perIpDoc = /`--max-connections-per-ip N` \| `TSPB_MAX_CONNECTIONS_PER_IP` \| `(\d+)`/.exec(readme);
const perIp = Number(benv.TSPB_MAX_CONNECTIONS_PER_IP ?? perIpDoc?.[1]);
const maxconn = Number(/\bmaxconn (\d+)/.exec(lines(be, 'default-server')[0]?.join(' ') || '')?.[1]);
check(`${R}haproxy's connections to a replica stay under its per-address limit`,
  perIp === 0 || (maxconn > 0 && maxconn < perIp), `maxconn ${maxconn}, per address ${perIp}`);
check(`${R}same Grafana image as docker-compose.yml`, rsv.grafana?.image === sv.grafana?.image,
  `${rsv.grafana?.image} vs ${sv.grafana?.image}`);
checkGrafana(R, rsv.grafana);
const deploy = read('docs/deployment.md');
check(`${R}docs/deployment.md gives the command and the config`,
  deploy.includes('docker compose -f docker-compose.replicas.yml up') && deploy.includes('docker/haproxy.cfg'));
console.log(failed ? `${failed} failed` : 'all checks passed');
process.exit(failed ? 1 : 0);
