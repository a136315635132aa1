// plugin.json files (sources and the built ones) against the rules of
// Grafana's plugin schema, and the built bundle's shape: what Grafana's
// plugin loader reads.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import schema from './plugin.schema.json';

const root = join(__dirname, '..');
const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
const read = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8'));

for (const p of ['src/plugin.json', 'src/datasource/plugin.json', 'src/panel/plugin.json', 'dist/plugin.json', 'dist/datasource/plugin.json', 'dist/panel/plugin.json']) {
  test(`${p} is valid against Grafana's plugin schema`, () => {
    assert.ok(existsSync(join(root, p)), `${p} missing: build the plugin first (npm run build)`);
    const json = read(p);
    assert.ok(validate(json), JSON.stringify(validate.errors, null, 1));
    assert.match(read(p).dependencies.grafanaDependency, /^>=1[2-9]\./, 'Grafana 12 or later');
  });
}

test('the schema rejects what Grafana rejects', () => {
  const good = read('src/datasource/plugin.json');
  const bad = [
    { ...good, id: 'TSP_bridge' },
    { ...good, type: 'widget' },
    { ...good, unknownMember: true },
    { ...good, info: { ...good.info, version: 'one' } },
    { ...good, dependencies: {} },
  ];
  for (const b of bad) {
    assert.equal(validate(b), false, JSON.stringify(b).slice(0, 120));
  }
});

test('the app includes its datasource and panel; ids are the documented ones; the built files have real versions', () => {
  const app = read('dist/plugin.json');
  const ds = read('dist/datasource/plugin.json');
  const panel = read('dist/panel/plugin.json');
  // Grafana's id rule (org-name-type) has no room for tsp-bridge-kernelview-panel.
  assert.equal(panel.id, 'tsp-kernelview-panel');
  assert.equal(panel.type, 'panel');
  assert.ok(app.includes.some((i: { type: string; name: string }) => i.type === 'panel' && i.name === panel.name));
  const pkg = read('package.json');
  assert.equal(app.id, 'tsp-bridge-app');
  assert.equal(app.type, 'app');
  assert.equal(ds.id, 'tsp-bridge-datasource');
  assert.equal(ds.type, 'datasource');
  assert.ok(app.includes.some((i: { type: string; name: string }) => i.type === 'datasource' && i.name === ds.name));
  for (const [j, dir] of [[app, ''], [ds, 'datasource'], [panel, 'panel']]) {
    assert.equal(j.info.version, pkg.version);
    assert.match(j.info.updated, /^\d{4}-\d{2}-\d{2}$/);
    for (const logo of Object.values(j.info.logos) as string[]) {
      assert.ok(existsSync(join(root, 'dist', dir, logo)), logo);
    }
  }
  assert.equal(ds.annotations, true);
  assert.equal(ds.metrics, true);
});

test('module.js files are AMD modules that need only what Grafana provides', () => {
  const provided = new Set(['react', 'react-dom', 'react/jsx-runtime', 'rxjs', '@grafana/data', '@grafana/ui', '@grafana/runtime', 'lodash', '@emotion/css']);
  for (const p of ['dist/module.js', 'dist/datasource/module.js', 'dist/panel/module.js']) {
    const code = readFileSync(join(root, p), 'utf8');
    const m = /^define\((\[[^\]]*\]), function \(/.exec(code);
    assert.ok(m, `${p} does not start with define([...], function (`);
    const deps: string[] = JSON.parse(m[1]);
    for (const d of deps) {
      assert.ok(provided.has(d), `${p} needs ${d}, which Grafana does not provide`);
    }
    // Loaded with stand-ins, the module exports `plugin`.
    let exported: Record<string, unknown> | undefined;
    const define = (names: string[], factory: (...a: unknown[]) => Record<string, unknown>) => {
      exported = factory(...names.map((n) => stub(n)));
    };
    if (p === 'dist/module.js') {
      new Function('define', code)(define);
      assert.ok(exported && 'plugin' in exported, `${p} exports no plugin`);
    } else if (p.includes('datasource')) {
      assert.ok(deps.includes('@grafana/runtime') && deps.includes('@grafana/data'));
    } else {
      assert.ok(deps.includes('@grafana/ui') && deps.includes('@grafana/data') && deps.includes('react'));
    }
  }
});

/** Enough of @grafana/data for the app module (the datasource's is loaded in chromium). */
function stub(name: string): unknown {
  if (name === '@grafana/data') {
    return { AppPlugin: class {} };
  }
  return {};
}
