// Builds the plugin bundle into dist/ (what Grafana loads) or, with --tests,
// the node:test files into dist-test/. esbuild bundles each module.ts as
// CommonJS with Grafana's shared packages left out, then wraps it as the AMD
// module Grafana's plugin loader expects: define([deps], factory).
import { build } from 'esbuild';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Provided by Grafana at run time (the same list as Grafana's plugin tooling).
export const GRAFANA_SHARED = [
  'react', 'react-dom', 'react/jsx-runtime', 'rxjs', 'lodash', 'moment', 'jquery',
  '@emotion/css', '@emotion/react', 'i18next', 'react-router', 'react-router-dom',
  '@grafana/data', '@grafana/ui', '@grafana/runtime',
];

function isShared(path) {
  return GRAFANA_SHARED.some((p) => path === p || path.startsWith(p + '/'));
}

/** The CommonJS bundle as an AMD module whose dependencies are Grafana's. */
export function wrapAmd(code, deps) {
  const names = JSON.stringify(deps);
  const args = deps.map((_, i) => `d${i}`).join(', ');
  const table = deps.map((d, i) => `${JSON.stringify(d)}: d${i}`).join(', ');
  return `define(${names}, function (${args}) {
var __deps = { ${table} };
var require = function (name) {
  if (Object.prototype.hasOwnProperty.call(__deps, name)) return __deps[name];
  throw new Error("tsp-bridge plugin: module " + name + " is not provided by Grafana");
};
var module = { exports: {} }, exports = module.exports;
${code}
return module.exports;
});
`;
}

function today() {
  const t = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date();
  return t.toISOString().slice(0, 10);
}

function pluginJson(src, dst) {
  const text = readFileSync(src, 'utf8').replaceAll('%VERSION%', pkg.version).replaceAll('%TODAY%', today());
  JSON.parse(text);
  writeFileSync(dst, text);
}

async function bundle(entry, outFile) {
  const shared = new Set();
  const res = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    plugins: [
      {
        name: 'grafana-shared',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => {
            if (isShared(a.path)) {
              shared.add(a.path);
              return { path: a.path, external: true };
            }
            return undefined;
          });
        },
      },
    ],
  });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, wrapAmd(res.outputFiles[0].text, [...shared].sort()));
}

async function buildPlugin() {
  const dist = join(root, 'dist');
  rmSync(dist, { recursive: true, force: true });
  await bundle('src/module.ts', join(dist, 'module.js'));
  pluginJson(join(root, 'src/plugin.json'), join(dist, 'plugin.json'));
  // The app's nested plugins, each in its own folder as Grafana finds them.
  for (const sub of ['datasource', 'panel']) {
    await bundle(`src/${sub}/module.ts`, join(dist, sub, 'module.js'));
    pluginJson(join(root, `src/${sub}/plugin.json`), join(dist, sub, 'plugin.json'));
  }
  for (const d of [dist, join(dist, 'datasource'), join(dist, 'panel')]) {
    cpSync(join(root, 'src/img'), join(d, 'img'), { recursive: true });
  }
  cpSync(join(root, 'README.md'), join(dist, 'README.md'));
}

/** Test files and the harness run under node (tests) or chromium (harness). */
async function buildTests() {
  const out = join(root, 'dist-test');
  rmSync(out, { recursive: true, force: true });
  const tests = readdirSync(join(root, 'tests')).filter((f) => f.endsWith('.test.ts') || f.startsWith('bench-'));
  await build({
    entryPoints: tests.map((f) => join(root, 'tests', f)),
    outdir: out,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // Grafana's ESM builds do not load under node; bundled, their CommonJS do.
    mainFields: ['main', 'module'],
    // It finds its own files at run time.
    external: ['playwright-core'],
    logLevel: 'warning',
  });
  // The harness page: React, Grafana's packages and the page, for chromium.
  await build({
    entryPoints: [join(root, 'tests', 'harness', 'harness.tsx')],
    outfile: join(out, 'harness', 'harness.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'transform',
    define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    loader: { '.css': 'empty', '.svg': 'text', '.woff': 'empty', '.woff2': 'empty', '.ttf': 'empty', '.png': 'empty' },
    logLevel: 'error',
  });
}

const args = process.argv.slice(2);
if (args.includes('--tests')) {
  await buildTests();
} else {
  await buildPlugin();
}
