// The datasource's query building, variable interpolation and answer
// handling, with Grafana's variable formats and @grafana/data; no network.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DataQueryRequest, dateTime, getFieldDisplayName } from '@grafana/data';
import { lastValueFrom, of, throwError } from 'rxjs';
import { buildTargets, describeTarget } from '../src/datasource/bridge';
import { type FetchOptions, type Services, TspBridgeDataSource } from '../src/datasource/datasource';
import { exactPart, interpolateDiscovery, posixEscape } from '../src/datasource/interpolate';
import type { BridgeRequest, TspQuery } from '../src/datasource/types';
import { VIEWS, viewsFor } from '../src/datasource/views';
import { FORMAT_IDS, TestTemplateSrv } from './template-srv';

const THREADS = ['bash', 'kworker/0:1', 'sshd'];

function templates(): TestTemplateSrv {
  return new TestTemplateSrv([
    { name: 'experiment', current: ['kernel'] },
    { name: 'exps', current: ['kernel', 'other.trace'], multi: true },
    { name: 'thread', current: ['bash', 'kworker/0:1'], multi: true, options: THREADS },
    { name: 'one', current: ['sshd'], multi: true, options: THREADS },
    { name: 'allstar', current: [], multi: true, includeAll: true, allValue: '*', all: true, options: THREADS },
    { name: 'allplain', current: [], multi: true, includeAll: true, all: true, options: THREADS },
    { name: 'starry', current: ['a*b'] },
  ]);
}

function settings(url = '/api/datasources/proxy/uid/tsp') {
  return {
    id: 1,
    uid: 'tsp',
    type: 'tsp-bridge-datasource',
    name: 'TSP bridge',
    url,
    access: 'proxy' as const,
    jsonData: {},
    readOnly: false,
    meta: { id: 'tsp-bridge-datasource', name: 'TSP bridge', type: 'datasource', info: {}, module: '', baseUrl: '' },
  } as never;
}

/** A fetch that records requests and answers from a table of (path → answer). */
function fakeServices(answers: Record<string, (body: unknown) => unknown>, ts = templates()) {
  const sent: FetchOptions[] = [];
  const services: Services = {
    templates: ts,
    fetch<T>(o: FetchOptions) {
      sent.push(o);
      const path = o.url.replace(/^\/api\/datasources\/proxy\/uid\/tsp/, '');
      const h = answers[path];
      if (!h) {
        return throwError(() => ({ status: 404, data: { error: 'unknown path ' + path } }));
      }
      try {
        return of({ data: h(o.data) as T, status: 200 });
      } catch (err) {
        return throwError(() => err);
      }
    },
  };
  return { services, sent };
}

function request(targets: TspQuery[], extra: Partial<DataQueryRequest<TspQuery>> = {}): DataQueryRequest<TspQuery> {
  const from = dateTime('2023-11-14T22:13:20.500Z');
  const to = dateTime('2023-11-14T22:14:20.000Z');
  return {
    requestId: 'Q1',
    interval: '1s',
    intervalMs: 1000,
    maxDataPoints: 640,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
    ...extra,
  } as DataQueryRequest<TspQuery>;
}

test('builder fields: single values exact, several a regex over the exact names', () => {
  const ts = templates();
  const [a, b, c] = buildTargets(
    [
      { refId: 'A', experiment: '$experiment', output: 'CPU Usage', entries: ['bash'] },
      { refId: 'B', experiment: '$exps', output: 'CPU Usage', view: 'series', limit: 5 },
      { refId: 'C', experiment: '${starry}', output: 'Thread Status' },
    ],
    ts,
    {}
  );
  assert.deepEqual(a, { refId: 'A', target: '', payload: { experiment: 'kernel', output: 'CPU Usage', entries: ['bash'] } });
  assert.equal(b.payload?.experiment, '~^(kernel|other\\.trace)$');
  assert.equal(b.payload?.view, 'series');
  assert.equal(b.payload?.limit, 5);
  // '*' in a name would make the field a glob: escaped.
  assert.equal(c.payload?.experiment, 'a\\*b');
});

test('entries: a multi-value variable becomes one exact name per value, in every Grafana format', () => {
  const ts = templates();
  assert.ok(FORMAT_IDS.includes('regex') && FORMAT_IDS.includes('glob') && FORMAT_IDS.length >= 10);
  for (const fmt of FORMAT_IDS.filter((f) => f !== 'text' && f !== 'date')) {
    for (const text of [`\${thread:${fmt}}`, `[[thread:${fmt}]]`]) {
      const [t] = buildTargets([{ refId: 'A', experiment: 'kernel', output: 'CPU Usage', entries: [text] }], ts, {});
      assert.deepEqual(t.payload?.entries, ['bash', 'kworker/0:1'], `${text} gave ${JSON.stringify(t.payload?.entries)}`);
    }
  }
  const [plain, mixed, one] = buildTargets(
    [
      { refId: 'A', experiment: 'kernel', output: 'CPU Usage', entries: ['$thread'] },
      { refId: 'B', experiment: 'kernel', output: 'CPU Usage', entries: ['sshd', '$thread', 'bash'] },
      { refId: 'C', experiment: 'kernel', output: 'CPU Usage', entries: ['$one'] },
    ],
    ts,
    {}
  );
  assert.deepEqual(plain.payload?.entries, ['bash', 'kworker/0:1']);
  assert.deepEqual(mixed.payload?.entries, ['sshd', 'bash', 'kworker/0:1'], 'duplicates dropped, order kept');
  assert.deepEqual(one.payload?.entries, ['sshd']);
});

test('entries: "All" with a custom all value passes the pattern, without one lists every value', () => {
  const ts = templates();
  const [star, plain, none] = buildTargets(
    [
      { refId: 'A', experiment: 'kernel', output: 'CPU Usage', entries: ['$allstar'] },
      { refId: 'B', experiment: 'kernel', output: 'CPU Usage', entries: ['${allplain:regex}'] },
      { refId: 'C', experiment: 'kernel', output: 'CPU Usage', entries: [] },
    ],
    ts,
    {}
  );
  assert.equal(star.payload?.entries, '*');
  assert.deepEqual(plain.payload?.entries, THREADS);
  assert.equal('entries' in (none.payload ?? {}), false, 'no entries: the output default');
});

test('code mode: the target as written, a multi-value variable as a regex part; explicit formats kept', () => {
  const ts = templates();
  const [a, b, c] = buildTargets(
    [
      { refId: 'A', mode: 'code', target: '$experiment/CPU Usage/$thread?view=series' },
      { refId: 'B', mode: 'code', target: 'kernel/Thread Status/~^${thread:regex}$' },
      { refId: 'C', mode: 'code', target: '  ' },
    ],
    ts,
    {}
  );
  assert.equal(a.target, 'kernel/CPU Usage/~^(bash|kworker/0:1)$?view=series');
  assert.equal(a.payload, undefined);
  assert.equal(b.target, 'kernel/Thread Status/~^(bash|kworker\\/0:1)$');
  assert.equal(c, undefined, 'an empty code query is not sent');
});

test('discovery calls escape single names and keep a regex over several', () => {
  const ts = new TestTemplateSrv([
    { name: 'e', current: ['a,b(c)'] },
    { name: 'm', current: ['x', 'y'], multi: true },
  ]);
  assert.equal(interpolateDiscovery(ts, 'outputs($e)'), 'outputs(a\\,b\\(c\\))');
  assert.equal(interpolateDiscovery(ts, 'outputs($m, XY)'), 'outputs(~^(x|y)$, XY)');
  assert.equal(exactPart('~x/y?z', true), '\\~x\\/y\\?z');
  assert.equal(exactPart('#3', true), '\\#3');
  assert.equal(posixEscape('a.b(c)'), 'a\\.b\\(c\\)');
});

test('query(): one POST /frames with ISO times, maxDataPoints, ad hoc filters; frames read by @grafana/data', async () => {
  let body: BridgeRequest | undefined;
  const { services, sent } = fakeServices({
    '/frames': (b) => {
      body = b as BridgeRequest;
      return {
        results: {
          A: {
            status: 200,
            frames: [
              { name: 'bash', refId: 'A', fields: [{ name: 'time', type: 'time', values: [1, 2] }, { name: 'bash', type: 'number', values: [3, 4], config: { displayNameFromDS: 'bash' } }] },
              { name: 'sshd', refId: 'A', fields: [{ name: 'time', type: 'time', values: [1, 2] }, { name: 'sshd', type: 'number', values: [5, 6], config: { displayNameFromDS: 'sshd' } }] },
            ],
          },
          B: { status: 400, error: 'no output matches "Nope"' },
        },
      };
    },
  });
  const ds = new TspBridgeDataSource(settings(), services);
  const res = await lastValueFrom(
    ds.query(
      request(
        [
          { refId: 'A', experiment: 'kernel', output: 'CPU Usage', entries: ['$thread'] },
          { refId: 'B', experiment: 'kernel', output: 'Nope' },
          { refId: 'H', experiment: 'kernel', output: 'CPU Usage', hide: true },
          { refId: 'E' } as TspQuery,
        ],
        { filters: [{ key: 'output', operator: '=~', value: 'CPU.*' }] }
      )
    )
  );
  assert.equal(sent.length, 1);
  assert.equal(sent[0].url, '/api/datasources/proxy/uid/tsp/frames');
  assert.equal(sent[0].method, 'POST');
  assert.ok(body);
  assert.deepEqual(body.range, { from: '2023-11-14T22:13:20.500Z', to: '2023-11-14T22:14:20.000Z' });
  assert.equal(body.maxDataPoints, 640);
  assert.deepEqual(body.targets.map((t) => t.refId), ['A', 'B'], 'hidden and empty queries are not sent');
  assert.deepEqual(body.adhocFilters, [{ key: 'output', operator: '=~', value: 'CPU.*' }]);
  assert.equal(res.data.length, 2);
  assert.deepEqual(res.data.map((f) => getFieldDisplayName(f.fields[1], f, res.data)), ['bash', 'sshd']);
  assert.equal(res.data[0].refId, 'A');
  assert.equal(res.errors?.length, 1);
  assert.equal(res.errors?.[0].refId, 'B');
  assert.match(res.errors?.[0].message ?? '', /Nope/);
});

test('query(): a failed request is an error on every query, with the bridge\'s message', async () => {
  const { services } = fakeServices({
    '/frames': () => {
      throw { status: 502, data: { error: 'trace server unreachable: connection refused' } };
    },
  });
  const ds = new TspBridgeDataSource(settings(), services);
  const res = await lastValueFrom(
    ds.query(request([{ refId: 'A', experiment: 'kernel', output: 'CPU Usage' }, { refId: 'B', mode: 'code', target: 'kernel/Histogram' }]))
  );
  assert.equal(res.data.length, 0);
  assert.deepEqual(res.errors?.map((e) => [e.refId, e.status, e.message]), [
    ['A', 502, 'trace server unreachable: connection refused'],
    ['B', 502, 'trace server unreachable: connection refused'],
  ]);
});

test('query(): an answer without a result for a query is an error, not "no data"', async () => {
  const { services } = fakeServices({ '/frames': () => ({ results: {} }) });
  const ds = new TspBridgeDataSource(settings(), services);
  const res = await lastValueFrom(ds.query(request([{ refId: 'A', experiment: 'kernel', output: 'CPU Usage' }])));
  assert.match(res.errors?.[0].message ?? '', /no result for query A/);
  const bad = new TspBridgeDataSource(settings(), fakeServices({ '/frames': () => [1, 2] }).services);
  const res2 = await lastValueFrom(bad.query(request([{ refId: 'A', experiment: 'kernel', output: 'CPU Usage' }])));
  assert.match(res2.errors?.[0].message ?? '', /not a \/frames answer/);
});

test('variables, tags and the Test button go to the discovery endpoints', async () => {
  const targets: string[] = [];
  const { services, sent } = fakeServices({
    '/variable': (b) => {
      const t = (b as { payload: { target: string } }).payload.target;
      targets.push(t);
      return t === 'experiments()' ? [{ __text: 'kernel', __value: 'kernel' }] : [{ __text: 'CPU Usage', __value: 'CPU Usage' }];
    },
    '/tag-keys': () => [{ type: 'string', text: 'experiment' }, { type: 'string', text: 'output' }],
    '/tag-values': (b) => [{ text: 'v-of-' + (b as { key: string }).key }],
    '/': () => ({ status: 'ok', bridge: { name: 'tsp-bridge', version: '9.9.9' }, upstream: 'http://ts:8080/tsp/api' }),
  });
  const ds = new TspBridgeDataSource(settings(), services);
  assert.deepEqual(await ds.metricFindQuery('outputs($exps)'), [{ text: 'CPU Usage', value: 'CPU Usage' }]);
  assert.equal(targets[0], 'outputs(~^(kernel|other\\.trace)$)');
  assert.deepEqual(await ds.getTagKeys(), [{ text: 'experiment' }, { text: 'output' }]);
  assert.deepEqual(await ds.getTagValues({ key: 'output' }), [{ text: 'v-of-output' }]);
  const ok = await ds.testDatasource();
  assert.equal(ok.status, 'success');
  assert.match(ok.message, /tsp-bridge 9\.9\.9 .*http:\/\/ts:8080\/tsp\/api lists 1 experiment$/);
  assert.equal(sent.find((o) => o.method === 'GET')?.url, '/api/datasources/proxy/uid/tsp/');

  const down = new TspBridgeDataSource(
    settings(),
    fakeServices({ '/': () => { throw { status: 502, statusText: 'Bad Gateway', data: {} }; } }).services
  );
  const bad = await down.testDatasource();
  assert.equal(bad.status, 'error');
  assert.match(bad.message, /HTTP 502 Bad Gateway/);
  const other = new TspBridgeDataSource(settings(), fakeServices({ '/': () => ({ hello: 'world' }) }).services);
  assert.match((await other.testDatasource()).message, /not as tsp-bridge does/);
});

test('a critical path thread and density bins go into the payload; tid takes variables', () => {
  const ts = { replace: (s?: string) => (s ?? '').replace('$thread', '408') };
  const [cp, dens, none] = buildTargets(
    [
      { refId: 'A', experiment: 'kernel', output: 'Critical Path', view: 'timeline', tid: '$thread' },
      { refId: 'B', experiment: 'kernel', output: 'System Call Latency - Latency Density', bins: 20 },
      { refId: 'C', experiment: 'kernel', output: 'Critical Path', tid: '' },
    ],
    ts,
    {}
  );
  assert.equal(cp.payload?.tid, '408');
  assert.equal(dens.payload?.bins, 20);
  assert.equal(dens.payload?.tid, undefined);
  assert.equal(none.payload?.tid, undefined);
  assert.ok(viewsFor('TREE_GENERIC_XY').some((v) => v.name === 'density'));
  assert.ok(!viewsFor('TREE_TIME_XY').some((v) => v.name === 'density'));
});

test('annotation queries default to the annotations view', () => {
  const ds = new TspBridgeDataSource(settings(), fakeServices({}).services);
  const q = ds.annotations.prepareQuery?.({ target: { refId: '', experiment: 'kernel', output: 'Thread Status', markers: 'frames' } } as never);
  assert.equal(q?.view, 'annotations');
  assert.equal(q?.refId, 'Anno');
});

test('the views table: every output type has a default view and annotations fit all', () => {
  for (const t of ['TREE_TIME_XY', 'TIME_GRAPH', 'TABLE', 'DATA_TREE', 'TREE_GENERIC_XY'] as const) {
    assert.ok(viewsFor(t).length >= 2, t);
    assert.ok(viewsFor(t).some((v) => v.name === 'annotations'));
  }
  assert.equal(new Set(VIEWS.map((v) => v.name)).size, VIEWS.length);
  assert.equal(describeTarget({ refId: 'A', target: '', payload: { experiment: 'kernel', output: 'CPU Usage' } }), 'kernel/CPU Usage');
});
