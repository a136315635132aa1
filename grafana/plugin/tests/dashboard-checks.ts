// What the kernel-analysis dashboards promise beyond "every panel answers":
// each panel's frames as its visualization needs them (scatter points,
// numeric statistics in ns, a density over a numeric duration, throughput
// and memory units), and data links that, resolved by Grafana's own code
// (@grafana/data's link supplier, @grafana/scenes' interpolator and macros),
// open an existing dashboard on a time range around the value clicked.
import assert from 'node:assert/strict';
import { type DataFrame, type Field, FieldType, getFieldDisplayName, getLinksSupplier, rangeUtil } from '@grafana/data';
import { VARIABLE_REGEX } from '../node_modules/@grafana/scenes/dist/esm/variables/constants.js';
import { formatRegistry } from '../node_modules/@grafana/scenes/dist/esm/variables/interpolation/formatRegistry.js';
import { DataMacro, FieldMacro, SeriesMacro, ValueMacro } from '../node_modules/@grafana/scenes/dist/esm/variables/macros/dataMacros.js';
import type { TestTemplateSrv } from './template-srv';

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The output a target reads: its builder field, or the second part of a code target. */
export function outputsOf(p: Any): string[] {
  return (p.targets ?? []).map((t: Any) => {
    if (t.mode === 'code' || (!t.output && t.target)) {
      const parts = String(t.target ?? '').split('?')[0].split(/(?<!\\)\//);
      return (parts[1] ?? '').replace(/\\(.)/g, '$1');
    }
    return String(t.output ?? '');
  });
}

/**
 * A field's value of a config key as Grafana resolves it: a matching
 * override, else the field's own config (the datasource's), else the
 * panel's defaults (applyFieldOverrides' order).
 */
export function effective(p: Any, field: Field, frame: DataFrame, frames: DataFrame[], path: string[]): unknown {
  const get = (o: Any) => path.reduce((x: Any, k) => (x == null ? undefined : x[k]), o);
  const name = getFieldDisplayName(field, frame, frames);
  let v: unknown;
  for (const o of p.fieldConfig?.overrides ?? []) {
    const m = o.matcher ?? {};
    const hit =
      (m.id === 'byName' && (m.options === name || m.options === field.name)) ||
      (m.id === 'byRegexp' && (new RegExp(`^(${m.options})$`).test(name) || new RegExp(`^(${m.options})$`).test(field.name))) ||
      (m.id === 'byType' && m.options === field.type);
    if (!hit) {
      continue;
    }
    for (const prop of o.properties ?? []) {
      const id = path.join('.');
      if (prop.id === id) {
        v = prop.value;
      }
    }
  }
  if (v !== undefined) {
    return v;
  }
  const own = get(field.config);
  return own !== undefined ? own : get(p.fieldConfig?.defaults ?? {});
}

function numberFields(frames: DataFrame[]): Array<[DataFrame, Field]> {
  return frames.flatMap((f) => f.fields.filter((x) => x.type === FieldType.number).map((x) => [f, x] as [DataFrame, Field]));
}

/** The checks of one panel by the kernel output it shows; raw = the datasource's frames, shown = transformed. */
export function checkKernelPanel(d: Any, p: Any, raw: DataFrame[], shown: DataFrame[], replace: (s: string) => string = (s) => s): void {
  const outputs = outputsOf(p);
  const is = (s: string) => outputs.some((o) => o.endsWith(s));
  const where = `${d.uid} panel ${p.id} "${p.title}"`;
  const nums = numberFields(shown);

  if (is('Latency vs Time') && p.type === 'timeseries') {
    // Points, not lines: the bridge says so in each field and the panel does not undo it.
    const rawNums = numberFields(raw);
    assert.ok(rawNums.length > 0, `${where}: no series`);
    for (const [f, x] of rawNums) {
      assert.equal(x.config.custom?.drawStyle, 'points', `${where}: series ${f.name} comes without drawStyle points`);
    }
    assert.ok(nums.length > 0, `${where}: nothing shown`);
    for (const [f, x] of nums) {
      assert.equal(effective(p, x, f, shown, ['custom', 'drawStyle']), 'points', `${where}: ${x.name} drawn as lines`);
      assert.equal(effective(p, x, f, shown, ['unit']), 'ns', `${where}: ${x.name} latency unit`);
    }
  }
  if (is('Latency Statistics') && p.type === 'table') {
    const byName = new Map(shown.flatMap((f) => f.fields.map((x) => [x.name, [f, x] as [DataFrame, Field]])));
    for (const n of ['Minimum', 'Maximum', 'Average', 'Total']) {
      const fx = byName.get(n);
      assert.ok(fx, `${where}: no ${n} column`);
      assert.equal(fx[1].type, FieldType.number, `${where}: ${n} is ${fx[1].type}, not a number (it would sort as text)`);
      assert.equal(effective(p, fx[1], fx[0], shown, ['unit']), 'ns', `${where}: ${n} unit`);
      assert.ok(fx[1].values.some((v: unknown) => typeof v === 'number' && v > 0), `${where}: ${n} has no value`);
    }
    assert.equal(byName.get('Count')?.[1].type, FieldType.number, `${where}: Count`);
    for (const s of p.options?.sortBy ?? []) {
      const fx = byName.get(s.displayName);
      assert.ok(fx && fx[1].type === FieldType.number, `${where}: sorted by ${s.displayName}, not a numeric column`);
    }
  }
  if (is('Latency Density')) {
    assert.equal(p.type, 'barchart', `${where}: a density is drawn as bars`);
    for (const f of shown.filter((x) => x.length > 0)) {
      const x = p.options?.xField ? f.fields.find((y) => y.name === p.options.xField) : f.fields[0];
      assert.ok(x, `${where}: no x field ${p.options?.xField ?? ''}`);
      assert.equal(x.type, FieldType.number, `${where}: the density's x (${x.name}) is ${x.type}, not a duration number`);
      assert.equal(effective(p, x, f, shown, ['unit']), 'ns', `${where}: the density's x unit`);
      assert.ok(
        f.fields.some((y) => y !== x && y.type === FieldType.number && y.values.some((v: unknown) => typeof v === 'number' && v > 0)),
        `${where}: no count in ${f.name}`
      );
    }
  }
  if (is('Disk I/O View') && p.type === 'timeseries') {
    const names = nums.map(([f, x]) => getFieldDisplayName(x, f, shown));
    assert.ok(names.some((n) => /read/.test(n)) && names.some((n) => /write/.test(n)), `${where}: read and write: ${names}`);
    for (const [f, x] of nums) {
      assert.ok(['Bps', 'binBps'].includes(String(effective(p, x, f, shown, ['unit']))), `${where}: ${x.name} is not in bytes per second`);
    }
  }
  if (is('Critical Path')) {
    // The path of the thread asked for: its row ("[comm,tid]", Trace Compass's OsWorker) comes first.
    const tids = (p.targets ?? []).map((t: Any) => /[?&]tid=([^&]+)/.exec(replace(String(t.target ?? '')))?.[1] ?? replace(String(t.tid ?? '')));
    const tid = tids.find((x: string) => /^\d+$/.test(x));
    assert.ok(tid, `${where}: no tid in ${JSON.stringify(tids)}`);
    const names = p.type === 'state-timeline'
      ? shown.flatMap((f) => f.fields.filter((x) => x.type !== FieldType.time).map((x) => x.name))
      : shown.flatMap((f) => f.fields.filter((x) => ['source', 'target', 'name'].includes(x.name)).flatMap((x) => x.values.map(String)));
    assert.ok(names.some((n) => n.endsWith(`,${tid}]`)), `${where}: thread ${tid} is not on its path (${names.slice(0, 6).join(', ')})`);
    if (p.type === 'state-timeline') {
      assert.ok(names[0].endsWith(`,${tid}]`), `${where}: the path starts at ${names[0]}, not at thread ${tid}`);
    }
  }
  if (is('Memory Usage') && p.type === 'timeseries') {
    for (const [f, x] of nums) {
      assert.ok(['bytes', 'decbytes'].includes(String(effective(p, x, f, shown, ['unit']))), `${where}: ${x.name} is not in bytes`);
    }
  }
}

const MACROS: Record<string, Any> = { __value: ValueMacro, __data: DataMacro, __field: FieldMacro, __series: SeriesMacro };

/**
 * @grafana/scenes' sceneInterpolator (which Grafana 12/13 dashboards use)
 * for what a data link holds: the same regex, the data macros and the
 * format registry; dashboard variables come as scoped variables. (The
 * interpolator itself would drag the whole scenes UI into the test build.)
 */
export function interpolate(target: string, scopedVars: Any, format?: string): string {
  VARIABLE_REGEX.lastIndex = 0;
  return target.replace(VARIABLE_REGEX, (match: string, var1: string, var2: string, fmt2: string, var3: string, rawPath: string, fmt3: string) => {
    const name = var1 || var2 || var3;
    const fmt = fmt2 || fmt3 || format;
    const fieldPath = rawPath && rawPath.startsWith('.') ? rawPath.slice(1) : rawPath || undefined;
    let value: Any;
    let variable: Any;
    if (scopedVars && Object.prototype.hasOwnProperty.call(scopedVars, name) && scopedVars[name]) {
      value = fieldPath === 'text' ? scopedVars[name].text : scopedVars[name].value;
      variable = { name, state: { name } };
    } else if (MACROS[name]) {
      variable = new MACROS[name](name, undefined, match, scopedVars);
      value = variable.getValue(fieldPath);
    } else {
      return match;
    }
    if (value === null || value === undefined) {
      return '';
    }
    if (!Array.isArray(value) && typeof value === 'object') {
      value = `${value}`;
    }
    const reg = formatRegistry as unknown as { getIfExists(id: string): { formatter(v: unknown, args: string[], variable: unknown): string } | undefined };
    const [id, ...args] = (fmt ?? 'glob').split(':');
    const f = reg.getIfExists(id) ?? reg.getIfExists('glob')!;
    return f.formatter(value, args, variable);
  });
}

/**
 * A "filter data by values" on a dashboard variable (the latency dashboard's
 * $min_latency): what is shown holds only values at or over the variable's
 * value, something is shown, and the filter took something away.
 */
export function checkVariableFilters(d: Any, p: Any, raw: DataFrame[], shown: DataFrame[], replace: (s: string) => string): number {
  let n = 0;
  for (const t of p.transformations ?? []) {
    if (t.id !== 'filterByValue') {
      continue;
    }
    for (const f of t.options?.filters ?? []) {
      const text = String(f.config?.options?.value ?? '');
      if (!text.includes('$') || !['greaterOrEqual', 'greater'].includes(f.config?.id)) {
        continue;
      }
      n++;
      const where = `${d.uid} panel ${p.id} "${p.title}" filter ${f.fieldName} ${f.config.id} ${text}`;
      const min = Number(replace(text));
      assert.ok(Number.isFinite(min) && min > 0, `${where}: the variable gives ${replace(text)}`);
      const values = shown.flatMap((fr) => fr.fields.filter((x) => x.name === f.fieldName).flatMap((x) => x.values));
      assert.ok(values.length > 0, `${where}: nothing at or over ${min}`);
      assert.deepEqual(values.filter((v) => !(typeof v === 'number' && v >= min)), [], `${where}: values under ${min} shown`);
      const below = numberFields(raw).some(([, x]) => x.values.some((v: unknown) => typeof v === 'number' && v < min));
      assert.ok(below, `${where}: the datasource gave nothing under ${min}: the filter is not seen at work`);
    }
  }
  return n;
}

/** A dashboard's panel and the dashboards its links may open. */
export interface LinkContext {
  dashboard: Any;
  dashboards: Map<string, Any>;
  vars: TestTemplateSrv;
  /** The values a query variable of another dashboard takes for an experiment (null: not a query variable). */
  values(target: Any, name: string, experiment: string): Promise<string[] | null>;
}

function panelLinks(p: Any): Any[] {
  const own = p.fieldConfig?.defaults?.links ?? [];
  const over = (p.fieldConfig?.overrides ?? []).flatMap((o: Any) => (o.properties ?? []).filter((x: Any) => x.id === 'links').flatMap((x: Any) => x.value));
  return [...own, ...over];
}

/** The range a dashboard URL opens: from/to (epoch ms), or Grafana's time + time.window. */
export function urlRange(params: URLSearchParams): { from: number; to: number } | null {
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null && to !== null) {
    return { from: Number(from), to: Number(to) };
  }
  const time = params.get('time');
  const win = params.get('time.window');
  if (time !== null && win !== null) {
    const ms = /^\d+$/.test(win) ? Number(win) : rangeUtil.intervalToMs(win);
    return { from: Number(time) - ms / 2, to: Number(time) + ms / 2 };
  }
  return null;
}

/**
 * Every data link of the panel, clicked on the first values of its frames:
 * the URL resolved by Grafana's link supplier must open a dashboard of
 * dashboards/ on a finite range that holds the value's time (a table row's
 * start..end exactly), with variables that dashboard has and values it offers.
 */
export async function checkPanelLinks(ctx: LinkContext, p: Any, shown: DataFrame[]): Promise<number> {
  const links = panelLinks(p);
  if (!links.length) {
    return 0;
  }
  const where = `${ctx.dashboard.uid} panel ${p.id} "${p.title}"`;
  const scoped: Any = {};
  for (const [name, v] of ctx.vars.vars) {
    const value = v.all ? (v.allValue ?? v.options ?? v.current) : v.multi ? v.current : v.current[0];
    scoped[name] = { text: Array.isArray(value) ? value.join(' + ') : value, value };
  }
  const replace = (s: string, vars?: Any, format?: Any) => interpolate(s, vars, format);
  let clicked = 0;
  for (const [fi, frame] of shown.entries()) {
    if (frame.length === 0) {
      continue;
    }
    const time = frame.fields.find((x) => x.type === FieldType.time);
    const isTable = p.type === 'table';
    const field = isTable ? frame.fields[0] : frame.fields.find((x) => x.type !== FieldType.time && x.values.some((v: unknown) => v != null));
    if (!field) {
      continue;
    }
    const rows = [...field.values.keys()].filter((i) => field.values[i] != null).slice(0, 3);
    for (const rowIndex of rows) {
      const f: Field = { ...field, config: { ...field.config, links } };
      const models = getLinksSupplier(frame, f, { ...scoped, __dataContext: { value: { data: shown, frame, field: f, frameIndex: fi } } } as Any, replace as Any)({
        valueRowIndex: rowIndex,
      });
      assert.equal(models.length, links.length, `${where}: links`);
      for (const m of models) {
        clicked++;
        const url = new URL(m.href, 'http://grafana.invalid');
        assert.doesNotMatch(m.href, /\$\{|\$__/, `${where}: unresolved variable in ${m.href}`);
        const uid = /^\/d\/([^/]+)/.exec(url.pathname)?.[1];
        const target = uid ? ctx.dashboards.get(uid) : undefined;
        assert.ok(target, `${where}: ${m.href} opens no dashboard of dashboards/`);
        const range = urlRange(url.searchParams);
        assert.ok(range, `${where}: ${m.href} carries no time range`);
        assert.ok(Number.isFinite(range.from) && Number.isFinite(range.to) && range.from < range.to, `${where}: range ${range.from}..${range.to} of ${m.href}`);
        const start = (isTable ? frame.fields.find((x) => x.name === 'start') : undefined) ?? time;
        const end = isTable ? frame.fields.find((x) => x.name === 'end') : undefined;
        assert.ok(start, `${where}: no time to check the link against`);
        const t0 = Number(start.values[rowIndex]);
        assert.ok(range.from <= t0 && t0 <= range.to, `${where}: ${m.href} does not hold the value's time ${t0}`);
        if (end && url.searchParams.has('from')) {
          assert.equal(range.from, t0, `${where}: the link starts at the row's start`);
          assert.equal(range.to, Number(end.values[rowIndex]), `${where}: the link ends at the row's end`);
        }
        const experiment = url.searchParams.get('var-experiment') ?? '';
        for (const [k, v] of url.searchParams) {
          if (!k.startsWith('var-')) {
            continue;
          }
          const name = k.slice(4);
          const tv = (target.templating?.list ?? []).find((x: Any) => x.name === name);
          assert.ok(tv, `${where}: ${uid} has no variable ${name}`);
          if (tv.type === 'textbox' && /^\d+$/.test(String(tv.current?.value ?? ''))) {
            // A text box holding a number (a tid) gets a number.
            assert.match(v, /^\d+$/, `${where}: ${uid}'s ${name} is a number, the link gives "${v}"`);
          }
          const offered = await ctx.values(target, name, experiment);
          if (offered) {
            assert.ok(offered.includes(v), `${where}: ${uid}'s ${name} offers no "${v}" (${offered.slice(0, 8).join(', ')}...)`);
          }
        }
      }
    }
  }
  assert.ok(clicked > 0, `${where}: no value to click a link on`);
  return clicked;
}
