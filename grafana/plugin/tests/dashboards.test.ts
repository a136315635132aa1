// Every dashboard of dashboards/ run as Grafana would run it on this
// datasource: its variables resolved through metricFindQuery, every panel's
// queries through TspBridgeDataSource.query() against bridge + tspsim, the
// frames through the panel's transformations (@grafana/data's own) and named
// with getFieldDisplayName; annotations through the annotation support.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  type DataFrame,
  type DataQueryRequest,
  dateTime,
  getFieldDisplayName,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
} from '@grafana/data';
import { firstValueFrom, lastValueFrom } from 'rxjs';
import { type Services, TspBridgeDataSource } from '../src/datasource/datasource';
import type { TspQuery } from '../src/datasource/types';
import { type Live, proxyFetch, REPO, startLive } from './live';
import { TestTemplateSrv, type TestVariable } from './template-srv';
import { checkKernelPanel, checkPanelLinks, checkVariableFilters, type LinkContext } from './dashboard-checks';

const DS_TYPE = 'tsp-bridge-datasource';
const INFINITY = 'yesoreyeram-infinity-datasource';
const DIR = join(REPO, 'dashboards');
const PROXY = '/api/datasources/proxy/uid/tsp';

// Grafana registers the transformers at start-up (each loaded on first
// use); @grafana/data's are these.
standardTransformersRegistry.setInit(() =>
  [...new Set(Object.values(standardTransformers))].map(
    (t) => ({ id: t.id, aliasIds: t.aliasIds, transformation: () => t }) as never
  )
);
// transformDataFrame asks window whether it runs under scenes: it does not.
(globalThis as { window?: unknown }).window ??= {};

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

let live: Live;

const nodeFetch = proxyFetch(() => live, PROXY);

function datasource(ts: TestTemplateSrv): TspBridgeDataSource {
  const services: Services = { fetch: nodeFetch, templates: ts };
  return new TspBridgeDataSource(
    { id: 1, uid: 'tsp', type: DS_TYPE, name: 'TSP bridge', url: PROXY, access: 'proxy', jsonData: {}, meta: { id: DS_TYPE } } as never,
    services
  );
}

function dashboards(): Array<[string, Any]> {
  return readdirSync(DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f, JSON.parse(readFileSync(join(DIR, f), 'utf8'))]);
}

function request(d: Any, targets: TspQuery[], maxDataPoints = 800): DataQueryRequest<TspQuery> {
  const fromT = dateTime(d.time.from);
  const toT = dateTime(d.time.to);
  return {
    requestId: 'R',
    interval: '10ms',
    intervalMs: 10,
    maxDataPoints,
    range: { from: fromT, to: toT, raw: { from: fromT, to: toT } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  } as DataQueryRequest<TspQuery>;
}

/** Variables in order, each resolved with the ones before it; the saved choice kept when offered. */
async function resolveVariables(d: Any): Promise<TestTemplateSrv> {
  const ts = new TestTemplateSrv();
  for (const v of d.templating?.list ?? []) {
    if (v.type === 'custom' || v.type === 'textbox' || v.type === 'constant') {
      // A fixed list or a text box: its saved value, which must be one of its options.
      const current: string[] = [v.current?.value ?? v.query].flat().map(String);
      if (v.type === 'custom') {
        const options = (v.options ?? []).map((o: Any) => String(o.value));
        assert.ok(current.every((c) => options.includes(c)), `variable ${v.name}: ${current} is not among ${options}`);
      }
      ts.vars.set(v.name, { name: v.name, current, multi: !!v.multi });
      continue;
    }
    if (v.type !== 'query') {
      continue;
    }
    assert.equal(v.datasource?.type, DS_TYPE, `${v.name}: variables query the TSP bridge datasource`);
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    const found = await datasource(ts).metricFindQuery(q);
    const values = found.map((f) => String(f.value));
    assert.ok(values.length > 0, `variable ${v.name} (${q}) has no values`);
    const saved: string[] = [v.current?.value ?? []].flat().filter((x: string) => values.includes(x));
    // "All" saved: Grafana sends the custom all value (or every option).
    const all = !!v.includeAll && [v.current?.value ?? []].flat().includes('$__all');
    const current = saved.length ? saved : [values[0]];
    const tv: TestVariable = { name: v.name, current, options: values, multi: !!v.multi, includeAll: !!v.includeAll, allValue: v.allValue ?? undefined, all };
    ts.vars.set(v.name, tv);
  }
  return ts;
}

/** What a data link needs: the dashboards it may open and their variables' values. */
function linkContext(d: Any, ts: TestTemplateSrv): LinkContext {
  return {
    dashboard: d,
    dashboards: new Map(dashboards().map(([, x]) => [x.uid, x])),
    vars: ts,
    values: async (target: Any, name: string, experiment: string) => {
      const v = (target.templating?.list ?? []).find((x: Any) => x.name === name);
      if (v?.type !== 'query') {
        return null;
      }
      const t = new TestTemplateSrv([{ name: 'experiment', current: [experiment] }]);
      const found = await datasource(t).metricFindQuery(typeof v.query === 'string' ? v.query : v.query?.query);
      return found.map((f) => String(f.value));
    },
  };
}

before(async () => {
  live = await startLive();
});

after(async () => {
  await live?.stop();
});

test('dashboards/ holds the plugin dashboards', () => {
  const list = dashboards();
  assert.ok(list.length >= 3, list.map(([f]) => f).join(', '));
});

for (const [file, d] of dashboards()) {
  test(`${file}: structure for Grafana 12/13 and the TSP bridge datasource`, () => {
    assert.ok(d.schemaVersion >= 41, `schemaVersion ${d.schemaVersion}`);
    assert.match(d.uid, /^[\w-]{8,40}$/);
    const dsVar = (d.templating?.list ?? []).find((v: Any) => v.type === 'datasource' && v.query === DS_TYPE);
    assert.ok(dsVar, 'a datasource variable of type tsp-bridge-datasource');
    const ids = new Set<number>();
    for (const p of d.panels) {
      assert.ok(!ids.has(p.id), `panel id ${p.id} twice`);
      ids.add(p.id);
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `panel ${p.id} is wider than the grid`);
      const type = p.datasource?.type;
      assert.ok(type === DS_TYPE || type === INFINITY, `panel ${p.id}: datasource ${type}`);
      assert.equal(p.datasource.uid, type === DS_TYPE ? '${' + dsVar.name + '}' : p.datasource.uid);
      for (const t of p.targets ?? []) {
        assert.equal(t.datasource?.type, type, `panel ${p.id} ${t.refId}`);
      }
    }
  });

  test(`${file}: every panel and annotation answers through the datasource, named once`, async () => {
    const ts = await resolveVariables(d);
    const ds = datasource(ts);
    let panels = 0;
    for (const p of d.panels) {
      if (p.datasource?.type !== DS_TYPE) {
        continue;
      }
      panels++;
      const res = await lastValueFrom(ds.query(request(d, p.targets, p.maxDataPoints ?? 800)));
      assert.deepEqual(res.errors ?? [], [], `panel ${p.id} "${p.title}"`);
      for (const t of p.targets) {
        const frames = res.data.filter((f: DataFrame) => f.refId === t.refId);
        assert.ok(frames.length > 0, `panel ${p.id} "${p.title}" ${t.refId}: no frame`);
        assert.ok(frames.some((f: DataFrame) => f.length > 0), `panel ${p.id} "${p.title}" ${t.refId}: no rows`);
      }
      if (p.type === 'nodeGraph') {
        // Grafana's node graph needs these fields, and a subtitle tells same-named threads apart.
        const fieldsOf = (name: string) => res.data.find((f: DataFrame) => f.name === name)?.fields.map((x: { name: string }) => x.name) ?? [];
        for (const n of ['id', 'title', 'subtitle', 'mainstat']) {
          assert.ok(fieldsOf('nodes').includes(n), `panel ${p.id}: nodes without ${n}`);
        }
        for (const n of ['id', 'source', 'target']) {
          assert.ok(fieldsOf('edges').includes(n), `panel ${p.id}: edges without ${n}`);
        }
      }
      // Transformations see the dashboard's variables, as in Grafana ($min_latency in a filter).
      const shownFrames: DataFrame[] = p.transformations?.length
        ? await firstValueFrom(transformDataFrame(p.transformations, res.data, { interpolate: (s: string) => ts.replace(s, {}) }))
        : res.data;
      checkKernelPanel(d, p, res.data, shownFrames, (s: string) => ts.replace(s, {}));
      checkVariableFilters(d, p, res.data, shownFrames, (s: string) => ts.replace(s, {}));
      await checkPanelLinks(linkContext(d, ts), p, shownFrames);
      const names: string[] = [];
      for (const f of shownFrames) {
        for (const fl of f.fields) {
          if (fl.type !== 'number') {
            continue;
          }
          const name = getFieldDisplayName(fl, f, shownFrames);
          names.push(name);
          assert.ok(!(f.name && name.startsWith(`${f.name} ${f.name}`)), `panel ${p.id}: series shown as "${name}"`);
          if (f.fields.length === 2 && f.fields[0].type === 'time' && f.name) {
            assert.equal(name, f.name, `panel ${p.id}: a series is shown by its entry's name`);
          }
        }
      }
      if (p.type === 'bargauge' && p.options?.reduceOptions && !p.options.reduceOptions.values) {
        assert.ok(names.length >= 2, `panel ${p.id} ranks ${names.length} series`);
        assert.deepEqual(names.filter((n) => /(^|: )Total$/.test(n)), [], `panel ${p.id} ranks the Total among threads`);
      }
    }
    assert.ok(panels > 0, 'no panel on the TSP bridge datasource');
    for (const a of d.annotations?.list ?? []) {
      if (a.datasource?.type !== DS_TYPE) {
        continue;
      }
      const q = ds.annotations.prepareQuery?.(a);
      assert.ok(q, `annotation ${a.name}`);
      const res = await lastValueFrom(ds.query(request(d, [q as TspQuery])));
      assert.deepEqual(res.errors ?? [], [], `annotation ${a.name}`);
      const f = res.data[0];
      assert.ok(f && f.length > 0, `annotation ${a.name}: no events`);
      for (const field of ['time', 'timeEnd', 'title', 'text']) {
        assert.ok(f.fields.some((x: { name: string }) => x.name === field), `annotation ${a.name}: no ${field} field`);
      }
    }
  });
}

// The kernel checks fail where they should: canned frames and panels, no bridge.
test('the kernel panel checks reject what a panel could not show', async () => {
  const { toDataFrame } = await import('@grafana/data');
  const d = { uid: 'self-test' };
  const ts = new TestTemplateSrv([{ name: 'experiment', current: ['kernel'] }, { name: 'min_latency', current: ['1000'] }]);
  const scatter = (style: string) => [
    toDataFrame({ name: 'read', fields: [{ name: 'time', type: 'time', values: [1, 2] }, { name: 'read', type: 'number', values: [5, 5000], config: { unit: 'ns', custom: { drawStyle: style } } }] }),
  ];
  const sp = { id: 1, title: 's', type: 'timeseries', targets: [{ output: 'System Call Latency - Latency vs Time' }], fieldConfig: { defaults: {} } };
  checkKernelPanel(d, sp, scatter('points'), scatter('points'));
  assert.throws(() => checkKernelPanel(d, sp, scatter('line'), scatter('line')), /drawStyle points/);
  const lines = { ...sp, fieldConfig: { defaults: {}, overrides: [{ matcher: { id: 'byType', options: 'number' }, properties: [{ id: 'custom.drawStyle', value: 'line' }] }] } };
  assert.throws(() => checkKernelPanel(d, lines, scatter('points'), scatter('points')), /drawn as lines/);

  const stats = (min: unknown) => [
    toDataFrame({ fields: ['Minimum', 'Maximum', 'Average', 'Total', 'Count'].map((n) => ({ name: n, type: typeof min === 'string' && n === 'Minimum' ? 'string' : 'number', values: [n === 'Minimum' ? min : 7], config: n === 'Count' ? {} : { unit: 'ns' } })) }),
  ];
  const tp = { id: 2, title: 't', type: 'table', targets: [{ output: 'System Call Latency - Latency Statistics' }], options: { sortBy: [{ displayName: 'Maximum', desc: true }] } };
  checkKernelPanel(d, tp, stats(3), stats(3));
  assert.throws(() => checkKernelPanel(d, tp, stats('3 ns'), stats('3 ns')), /not a number/);

  const density = (xType: string) => [
    toDataFrame({ fields: [{ name: 'start', type: xType, values: [0, 10], config: { unit: 'ns' } }, { name: 'read', type: 'number', values: [3, 1] }] }),
  ];
  const dp = { id: 3, title: 'd', type: 'barchart', targets: [{ output: 'System Call Latency - Latency Density' }], options: { xField: 'start' } };
  checkKernelPanel(d, dp, density('number'), density('number'));
  assert.throws(() => checkKernelPanel(d, dp, density('time'), density('time')), /not a duration number/);

  const fp = { id: 4, title: 'f', transformations: [{ id: 'filterByValue', options: { filters: [{ fieldName: 'read', config: { id: 'greaterOrEqual', options: { value: '$min_latency' } } }] } }] };
  const replace = (s: string) => ts.replace(s, {});
  assert.equal(checkVariableFilters(d, fp, scatter('points'), [toDataFrame({ fields: [{ name: 'read', type: 'number', values: [5000] }] })], replace), 1);
  assert.throws(() => checkVariableFilters(d, fp, scatter('points'), scatter('points'), replace), /under 1000 shown/);

  const target = { uid: 'kv', templating: { list: [{ name: 'experiment', type: 'query' }] } };
  const ctx: LinkContext = { dashboard: d, dashboards: new Map([['kv', target]]), vars: ts, values: async () => ['kernel'] };
  const rows = [toDataFrame({ fields: [{ name: 'start', type: 'time', values: [100] }, { name: 'end', type: 'time', values: [250] }] })];
  const link = (url: string) => ({ id: 5, title: 'l', type: 'table', fieldConfig: { defaults: { links: [{ title: 'x', url }] } } });
  assert.equal(await checkPanelLinks(ctx, link('/d/kv/k?var-experiment=${experiment}&from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'), rows), 1);
  await assert.rejects(checkPanelLinks(ctx, link('/d/nope/k?from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'), rows), /opens no dashboard/);
  await assert.rejects(checkPanelLinks(ctx, link('/d/kv/k?from=${__data.fields.start.numeric}&to=${__data.fields.start.numeric}'), rows), /range/);
  await assert.rejects(checkPanelLinks(ctx, link('/d/kv/k?var-experiment=${experiment}'), rows), /no time range/);
  await assert.rejects(checkPanelLinks(ctx, link('/d/kv/k?time=${__data.fields.end.numeric}&time.window=10ms'), rows), /does not hold/);
  await assert.rejects(checkPanelLinks(ctx, link('/d/kv/k?var-nope=1&from=${__data.fields.start.numeric}&to=${__data.fields.end.numeric}'), rows), /no variable nope/);
});
