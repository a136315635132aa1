// The datasource in front of a bridge with two trace servers (tspsim seeds
// 1 and 2, upstreams a and b): discovery lists qualified experiment names,
// a server variable chains into the experiment picker's query, and one
// qualified or multi-value experiment reaches the right servers, frames
// named for them as Grafana names them.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DataQueryRequest, dateTime, getFieldDisplayName } from '@grafana/data';
import { lastValueFrom } from 'rxjs';
import { TspBridgeDataSource } from '../src/datasource/datasource';
import { VIEWS } from '../src/datasource/views';
import type { TspQuery } from '../src/datasource/types';
import { type Live, proxyFetch, startLive } from './live';
import { TestTemplateSrv } from './template-srv';

const DS_TYPE = 'tsp-bridge-datasource';
const PROXY = '/api/datasources/proxy/uid/tsp';
let live: Live;

function datasource(ts: TestTemplateSrv): TspBridgeDataSource {
  return new TspBridgeDataSource(
    { id: 1, uid: 'tsp', type: DS_TYPE, name: 'TSP bridge', url: PROXY, access: 'proxy', jsonData: {}, meta: { id: DS_TYPE } } as never,
    { fetch: proxyFetch(() => live, PROXY), templates: ts }
  );
}

function request(targets: TspQuery[]): DataQueryRequest<TspQuery> {
  const fromT = dateTime('2023-11-14T22:13:20Z');
  const toT = dateTime('2023-11-14T22:13:30Z');
  return {
    requestId: 'F',
    interval: '10ms',
    intervalMs: 10,
    maxDataPoints: 50,
    range: { from: fromT, to: toT, raw: { from: fromT, to: toT } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  } as DataQueryRequest<TspQuery>;
}

async function seriesNames(ds: TspBridgeDataSource, q: TspQuery): Promise<string[]> {
  const res = await lastValueFrom(ds.query(request([q])));
  assert.equal(res.errors?.length ?? 0, 0, JSON.stringify(res.errors));
  return res.data.map((f) => getFieldDisplayName(f.fields[1], f, res.data));
}

before(async () => {
  live = await startLive(['--running-polls', '0'], [], 2);
});

after(async () => {
  await live?.stop();
});

test('discovery: servers, experiments qualified where a name is on two servers, chained on a server', async () => {
  const ts = new TestTemplateSrv();
  const ds = datasource(ts);
  assert.deepEqual((await ds.metricFindQuery('servers()')).map((v) => v.value), ['a', 'b']);
  assert.deepEqual(await ds.listExperiments(), ['a:kernel', 'b:kernel']);
  ts.vars.set('server', { name: 'server', current: ['b'] });
  assert.deepEqual((await ds.metricFindQuery('experiments($server)')).map((v) => v.value), ['b:kernel']);
  const outputs = await ds.listOutputs('a:kernel');
  assert.ok(outputs.some((o) => o.name === 'CPU Usage' && o.type === 'TREE_TIME_XY'), JSON.stringify(outputs));
  assert.ok((await ds.listEntries('b:kernel', 'CPU Usage')).includes('Total'));
  assert.deepEqual((await ds.getTagKeys()).map((k) => k.text), ['experiment', 'output', 'server']);
});

test('queries: one qualified experiment, a multi-value variable over two, each frame named for its server', async () => {
  const ts = new TestTemplateSrv();
  const ds = datasource(ts);
  const base: TspQuery = { refId: 'A', mode: 'builder', output: 'CPU Usage', entries: ['Total'] };
  assert.deepEqual(await seriesNames(ds, { ...base, experiment: 'b:kernel' }), ['Total']);
  ts.vars.set('exp', { name: 'exp', current: ['a:kernel', 'b:kernel'], multi: true });
  assert.deepEqual(await seriesNames(ds, { ...base, experiment: '$exp' }), [
    'a:kernel/CPU Usage: Total',
    'b:kernel/CPU Usage: Total',
  ]);
  // A plain name on both servers fans out the same way.
  assert.deepEqual(await seriesNames(ds, { ...base, experiment: 'kernel' }), [
    'a:kernel/CPU Usage: Total',
    'b:kernel/CPU Usage: Total',
  ]);
});

test("the plugin's views are the bridge's view table (names and output types), plus its own Kernel view", async () => {
  const r = await fetch(live.bridgeUrl + '/metrics', { method: 'POST', body: '{"metric":"","payload":{}}' });
  const metrics = (await r.json()) as Array<{ value: string; types: string[] }>;
  const all = ['TREE_TIME_XY', 'TIME_GRAPH', 'TABLE', 'DATA_TREE', 'TREE_GENERIC_XY'];
  const bridge = new Map(metrics.map((m) => [m.value, [...m.types].sort()]));
  // `kernel` is the plugin's: /timeline, not a /frames view.
  const plugin = new Map(
    VIEWS.filter((v) => v.name !== 'kernel').map((v) => [v.name, (v.types.length ? [...v.types] : all).sort()])
  );
  assert.deepEqual(Object.fromEntries(plugin), Object.fromEntries(bridge));
});
