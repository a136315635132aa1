#!/usr/bin/env node
// Checks the demo stack's files with a real YAML parser (no Docker engine
// runs here): docker-compose.yml, the Grafana provisioning, and that the
// Dockerfiles build with the README's commands.
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
  const doc = YAML.parseDocument(read(p));
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
const plugins = (sv.grafana?.environment?.GF_INSTALL_PLUGINS || '').split(',');
check('two or more datasources', ds.length >= 2, JSON.stringify(ds));
for (const d of ds) {
  check(`datasource ${d.uid} points at the bridge`, d.url === 'http://bridge:8090', d.url);
  check(`datasource ${d.uid}'s plugin is installed`, plugins.includes(d.type), `${d.type} not in ${plugins}`);
}
const prov = yaml('grafana/provisioning/dashboards/tsp-bridge.yaml').providers || [];
const mounts = (sv.grafana?.volumes || []).map((v) => v.split(':'));
const dashMount = mounts.find(([src]) => src === './dashboards');
const provMount = mounts.find(([src]) => src === './grafana/provisioning');
check('dashboards are mounted where the provider loads them',
  !!dashMount && prov.some((p) => p.options?.path === dashMount[1]), JSON.stringify({ mounts, prov }));
check('provisioning is mounted at /etc/grafana/provisioning', !!provMount && provMount[1] === '/etc/grafana/provisioning');
check('default credentials set', !!sv.grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD);

const bdf = read('docker/bridge.Dockerfile');
check('bridge Dockerfile builds with make and make install', /RUN make\b.*&& make install\b/.test(bdf));
const readme = read('README.md');
check('README gives the same build commands', readme.includes('make install') && /\bmake run\b/.test(readme));
check('README gives the URL and credentials', readme.includes('http://localhost:3000') && readme.includes('admin / admin'));
console.log(failed ? `${failed} failed` : 'all checks passed');
process.exit(failed ? 1 : 0);
