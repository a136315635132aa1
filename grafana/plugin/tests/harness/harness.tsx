// A page that hosts the built datasource as Grafana does: the real
// @grafana/data, @grafana/ui, @grafana/runtime and React given to the AMD
// module dist/datasource/module.js, Grafana's HTTP client stood in for by
// fetch() through a proxy path like Grafana's, and the query editor rendered
// with its state kept by the page (window.harness, read by the browser test).
import React, { useState } from 'react';
import * as ReactNS from 'react';
import * as ReactDOMNS from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as grafanaData from '@grafana/data';
import * as grafanaUI from '@grafana/ui';
import * as grafanaRuntime from '@grafana/runtime';
import * as rxjs from 'rxjs';
import { from, Observable } from 'rxjs';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface HarnessState {
  query: Any;
  runs: number;
  requests: string[];
  errors: string[];
  ready: boolean;
  /** Ranges the panel asked the dashboard for (zoom, pan). */
  ranges: Any[];
  queryMs: number;
  /** performance.now() when the data arrived, when the panel last asked for a range. */
  dataAt?: number;
  rangeAt?: number;
}

const state: HarnessState = { query: null, runs: 0, requests: [], errors: [], ready: false, ranges: [], queryMs: 0 };
(window as Any).harness = state;
// A ResizeObserver loop notice is the browser's, harmless, and Grafana ignores it too.
window.addEventListener('error', (e) => {
  if (!/ResizeObserver loop/.test(String(e.message))) {
    state.errors.push(String(e.message));
  }
});

const provided: Record<string, unknown> = {
  react: ReactNS,
  'react-dom': ReactDOMNS,
  '@grafana/data': grafanaData,
  '@grafana/ui': grafanaUI,
  '@grafana/runtime': grafanaRuntime,
  rxjs,
};

/** Grafana's backendSrv.fetch: JSON in, {data, status} out, errors with data. */
function fetchLike(o: Any): Observable<Any> {
  state.requests.push(`${o.method} ${o.url} ${o.data ? JSON.stringify(o.data) : ''}`);
  return from(
    fetch(o.url, {
      method: o.method,
      headers: o.data ? { 'Content-Type': 'application/json' } : undefined,
      body: o.data ? JSON.stringify(o.data) : undefined,
    }).then(async (r) => {
      const text = await r.text();
      let data: unknown = text;
      try {
        data = JSON.parse(text);
      } catch {
        /* not JSON: kept as text */
      }
      if (!r.ok) {
        throw { status: r.status, statusText: r.statusText, data };
      }
      return { data, status: r.status };
    })
  );
}

grafanaRuntime.setBackendSrv({ fetch: fetchLike } as Any);
grafanaRuntime.setTemplateSrv({
  getVariables: () => [],
  replace: (t?: string) => t ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as Any);

async function loadPlugin(url: string): Promise<Any> {
  const code = await (await fetch(url)).text();
  let exported: Any;
  const define = (deps: string[], factory: (...a: unknown[]) => unknown) => {
    exported = factory(...deps.map((d) => {
      if (!(d in provided)) {
        throw new Error('module.js needs ' + d);
      }
      return provided[d];
    }));
  };
  new Function('define', code)(define);
  return exported.plugin;
}

function Editor({ plugin, ds }: { plugin: Any; ds: Any }) {
  const [query, setQuery] = useState<Any>({ refId: 'A', ...ds.getDefaultQuery() });
  state.query = query;
  const QueryEditor = plugin.components.QueryEditor;
  return (
    <div style={{ padding: 16, width: 900 }}>
      <h3 style={{ margin: '0 0 12px 0' }}>TSP bridge: query editor</h3>
      <QueryEditor
        datasource={ds}
        query={query}
        onChange={(q: Any) => {
          state.query = q;
          setQuery(q);
        }}
        onRunQuery={() => {
          state.runs++;
        }}
      />
      <pre data-testid="harness-query" style={{ marginTop: 16, fontSize: 12 }}>{JSON.stringify(query)}</pre>
    </div>
  );
}

function Config({ plugin }: { plugin: Any }) {
  const [options, setOptions] = useState<Any>({
    id: 1,
    uid: 'tsp',
    name: 'TSP bridge',
    type: 'tsp-bridge-datasource',
    access: 'proxy',
    url: '',
    basicAuth: false,
    jsonData: {},
    secureJsonFields: {},
  });
  (window as Any).harnessOptions = options;
  const ConfigEditor = plugin.components.ConfigEditor;
  return (
    <div style={{ padding: 16, width: 900 }}>
      <h3 style={{ margin: '0 0 12px 0' }}>TSP bridge: datasource settings</h3>
      <ConfigEditor
        options={options}
        onOptionsChange={(o: Any) => {
          (window as Any).harnessOptions = o;
          setOptions(o);
        }}
      />
    </div>
  );
}

/** The kernel view panel of dist/panel/module.js, fed by the datasource's Kernel view query. */
function Panel({ ds }: { ds: Any }) {
  const params = new URLSearchParams(location.search);
  const [panel, setPanel] = useState<Any>(null);
  const [range, setRange] = useState(() => ({
    from: grafanaData.dateTime(Number(params.get('from') ?? '1700000000000')),
    to: grafanaData.dateTime(Number(params.get('to') ?? '1700000001000')),
  }));
  const [data, setData] = useState<Any>({ series: [], state: grafanaData.LoadingState.Loading });
  const width = Number(params.get('width') ?? '1100');
  const height = Number(params.get('height') ?? '560');
  React.useEffect(() => {
    loadPlugin('/plugin/panel/module.js').then(setPanel, (e) => state.errors.push(String(e)));
  }, []);
  React.useEffect(() => {
    const t0 = performance.now();
    const entries = params.get('entries');
    if (params.get('source') === 'flat') {
      // As Infinity gives them: the flat /timeline forms, each a frame of its rows, no names.
      const q = new URLSearchParams({ experiment: 'kernel', output: params.get('output') ?? 'Thread Status', from: String(range.from.valueOf()), to: String(range.to.valueOf()), width: String(width) });
      Promise.all(['rows', 'states', 'links'].map((f) => fetch(`/api/datasources/proxy/uid/tsp/timeline/${f}?${q}`).then((r) => r.json())))
        .then((parts) => {
          const series = parts.map((rows) => grafanaData.toDataFrame(rows));
          (window as Any).harnessData = { data: series.map((f, k) => ({ ...f, name: ['rows', 'states', 'links'][k] })) };
          state.dataAt = performance.now();
          setData({ series, state: grafanaData.LoadingState.Done, timeRange: range });
        })
        .catch((e) => state.errors.push(String(e)));
      return;
    }
    const sub = ds
      .query({
        requestId: 'kv',
        range: { ...range, raw: range },
        maxDataPoints: Number(params.get('points') ?? width),
        intervalMs: 1,
        scopedVars: {},
        targets: [{ refId: 'K', experiment: 'kernel', output: params.get('output') ?? 'Thread Status', view: 'kernel', entries: entries ? entries.split(',') : [] }],
      })
      .subscribe((res: Any) => {
        (window as Any).harnessData = res;
        state.queryMs = performance.now() - t0;
        state.dataAt = performance.now();
        setData({ series: res.data, state: res.errors?.length ? grafanaData.LoadingState.Error : grafanaData.LoadingState.Done, errors: res.errors, timeRange: range });
      });
    return () => sub.unsubscribe();
  }, [range]);
  if (!panel) {
    return null;
  }
  const Component = panel.panel;
  const options = { ...JSON.parse(params.get('options') ?? '{}') };
  for (const item of panel.optionEditors?.list?.() ?? []) {
    if (!(item.path in options) && item.defaultValue !== undefined) {
      options[item.path] = item.defaultValue;
    }
  }
  return (
    <div style={{ padding: 8 }} data-testid="panel-host">
      <Component
        id={1}
        data={data}
        timeRange={{ ...range, raw: range }}
        timeZone="utc"
        options={{ rowHeight: 18, showArrows: true, showEvents: true, showLegend: true, arrowTypes: '', ...options }}
        fieldConfig={{ defaults: {}, overrides: [] }}
        transparent={false}
        width={width}
        height={height}
        renderCounter={0}
        title="Kernel view"
        eventBus={{}}
        onOptionsChange={() => {}}
        onFieldConfigChange={() => {}}
        replaceVariables={(s: string) => s}
        onChangeTimeRange={(r: Any) => {
          state.ranges.push(r);
          state.rangeAt = performance.now();
          setRange({ from: grafanaData.dateTime(r.from), to: grafanaData.dateTime(r.to) });
        }}
      />
    </div>
  );
}

async function main() {
  const plugin = await loadPlugin('/plugin/datasource/module.js');
  const settings = {
    id: 1,
    uid: 'tsp',
    type: 'tsp-bridge-datasource',
    name: 'TSP bridge',
    url: '/api/datasources/proxy/uid/tsp',
    access: 'proxy',
    jsonData: {},
    meta: { id: 'tsp-bridge-datasource' },
  };
  const ds = new plugin.DataSourceClass(settings);
  (window as Any).harnessDatasource = ds;
  const theme = grafanaData.createTheme({ colors: { mode: 'dark' } });
  createRoot(document.getElementById('root')!).render(
    <grafanaUI.ThemeContext.Provider value={theme}>
      <grafanaUI.GlobalStyles />
      <div style={{ background: theme.colors.background.primary, color: theme.colors.text.primary, minHeight: '100vh', fontFamily: theme.typography.fontFamily }}>
        {location.search.includes('config') ? (
          <Config plugin={plugin} />
        ) : location.search.includes('panel') ? (
          <Panel ds={ds} />
        ) : (
          <Editor plugin={plugin} ds={ds} />
        )}
      </div>
    </grafanaUI.ThemeContext.Provider>
  );
  state.ready = true;
}

main().catch((e) => state.errors.push(String(e?.stack ?? e)));
