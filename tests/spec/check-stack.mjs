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
const genv = sv.grafana?.environment || {};
const mounts = (sv.grafana?.volumes || []).map((v) => v.split(':'));
const image = /^grafana\/grafana(-oss)?:(\d+)\./.exec(sv.grafana?.image || '');
check('Grafana 12 or later', !!image && Number(image[2]) >= 12, sv.grafana?.image);
// The app plugin: its build mounted in the plugins folder, loadable unsigned, enabled.
const pluginDir = path.join(root, 'grafana/plugin/src');
const appId = JSON.parse(read('grafana/plugin/src/plugin.json')).id;
const dsId = JSON.parse(read('grafana/plugin/src/datasource/plugin.json')).id;
const panelId = JSON.parse(read('grafana/plugin/src/panel/plugin.json')).id;
check('plugin sources exist', fs.existsSync(pluginDir));
check('the plugin build is mounted in Grafana\'s plugins folder',
  mounts.some(([src, dst]) => src === './grafana/plugin/dist' && dst.startsWith('/var/lib/grafana/plugins/')),
  JSON.stringify(mounts));
const unsigned = (genv.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS || '').split(',');
check('the app, its datasource and panel may load unsigned',
  [appId, dsId, panelId].every((id) => unsigned.includes(id)), unsigned.join(','));
const apps = yaml('grafana/provisioning/plugins/tsp-bridge.yaml').apps || [];
check('the app is enabled', apps.some((a) => a.type === appId && !a.disabled), JSON.stringify(apps));
const plugins = [...(genv.GF_PLUGINS_PREINSTALL_SYNC || genv.GF_PLUGINS_PREINSTALL || '').split(','), dsId];
check('two or more datasources', ds.length >= 2, JSON.stringify(ds));
check('the default datasource is the plugin\'s', ds.some((d) => d.type === dsId && d.isDefault), JSON.stringify(ds));
for (const d of ds) {
  check(`datasource ${d.uid} points at the bridge`, d.url === 'http://bridge:8090', d.url);
  check(`datasource ${d.uid}'s plugin is installed`, plugins.includes(d.type), `${d.type} not in ${plugins}`);
}
const prov = yaml('grafana/provisioning/dashboards/tsp-bridge.yaml').providers || [];
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
