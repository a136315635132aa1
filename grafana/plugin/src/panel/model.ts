import type { DataFrame, Field } from '@grafana/data';

/**
 * The frames of a timeline (rows, states, events, links, as the TSP bridge
 * datasource and the flat /timeline/* forms for Infinity give them) → one
 * model the kernel view lays out. Pure.
 *
 * Times: exact ns strings when a frame has them (start_ns, ...), else ms.
 * Inside, a time is a double holding ns since `baseNs` (the range start):
 * exact below 2^53 ns (104 days), which any range a panel shows stays under.
 */

export interface Row {
  id: number;
  parentId: number;
  name: string;
  tid: string | null;
  pid: string | null;
  children: Row[];
  depth: number;
}

export interface RowStates {
  /** Sorted by start; parallel arrays, times as ns offsets from baseNs. */
  start: Float64Array;
  end: Float64Array;
  value: Array<string | null>;
  label: Array<string | null>;
  color: Array<string | null>;
}

export interface Link {
  source: number;
  target: number;
  start: number;
  end: number;
  type: string | null;
  color: string | null;
}

export interface TimelineEvent {
  row: number;
  time: number;
  type: string | null;
  label: string | null;
}

export interface TimelineModel {
  baseNs: bigint;
  /** Roots in the rows' order; every row by id. */
  roots: Row[];
  rows: Map<number, Row>;
  states: Map<number, RowStates>;
  events: TimelineEvent[];
  links: Link[];
  /** State name → colour, in first-seen order (the legend). */
  legend: Array<[string, string]>;
  status: string | null;
}

type Kind = 'rows' | 'states' | 'events' | 'links';

function has(f: DataFrame, ...names: string[]): boolean {
  return names.every((n) => f.fields.some((x) => x.name === n));
}

/** Which part of the timeline a frame is: by name, else by its fields. */
export function frameKind(f: DataFrame): Kind | null {
  if (f.name === 'rows' || f.name === 'states' || f.name === 'events' || f.name === 'links') {
    return f.name;
  }
  if (has(f, 'id', 'parentId', 'name')) {
    return 'rows';
  }
  if (has(f, 'source', 'target', 'start', 'end')) {
    return 'links';
  }
  if (has(f, 'row', 'start', 'end')) {
    return 'states';
  }
  if (has(f, 'row', 'time')) {
    return 'events';
  }
  return null;
}

function field(f: DataFrame | undefined, name: string): Field | undefined {
  return f?.fields.find((x) => x.name === name);
}

function values(f: DataFrame | undefined, name: string): unknown[] | undefined {
  return field(f, name)?.values as unknown[] | undefined;
}

export type Offset = (ns: unknown, ms: unknown) => number;

/**
 * ns since base, from an exact ns string (else from ms). A positive ns
 * string is split into its ms and sub-ms digits, both exact doubles, so
 * the hundreds of thousands of times of a large timeline cost no BigInt.
 */
export function offsetFrom(baseNs: bigint): Offset {
  const simple = baseNs >= 0n;
  const baseMs = Number(baseNs / 1000000n);
  const baseSub = Number(baseNs % 1000000n);
  return (ns, ms) => {
    if (typeof ns === 'string') {
      const len = ns.length;
      if (simple && len > 6 && len < 22) {
        // Digits read in place: no substring, nothing for the collector.
        let hi = 0;
        let lo = 0;
        let ok = true;
        for (let k = 0; k < len; k++) {
          const d = ns.charCodeAt(k) - 48;
          if (d < 0 || d > 9) {
            ok = false;
            break;
          }
          if (k < len - 6) {
            hi = hi * 10 + d;
          } else {
            lo = lo * 10 + d;
          }
        }
        if (ok) {
          return (hi - baseMs) * 1000000 + (lo - baseSub);
        }
      }
      if (/^-?\d+$/.test(ns)) {
        return Number(BigInt(ns) - baseNs);
      }
    }
    if (typeof ms === 'number' && Number.isFinite(ms)) {
      return Number(BigInt(Math.round(ms)) * 1000000n - baseNs);
    }
    return NaN;
  };
}

/** ns since base from an exact ns string, else from ms. */
export function offsetNs(baseNs: bigint, ns: unknown, ms: unknown): number {
  return offsetFrom(baseNs)(ns, ms);
}

/** The exact ns of an offset, as a decimal string. */
export function nsString(baseNs: bigint, offset: number): string {
  return (baseNs + BigInt(Math.round(offset))).toString();
}

function str(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}

/**
 * Builds the model. baseNs is the range start (meta.custom.range_ns of the
 * datasource's frames when present, else the dashboard's from × 1e6).
 */
export function buildModel(frames: DataFrame[], fallbackBaseNs: bigint): TimelineModel {
  const byKind = new Map<Kind, DataFrame>();
  for (const f of frames) {
    const k = frameKind(f);
    if (k && !byKind.has(k)) {
      byKind.set(k, f);
    }
  }
  const rowsF = byKind.get('rows');
  const statesF = byKind.get('states');
  const custom = (statesF?.meta?.custom ?? rowsF?.meta?.custom) as { range_ns?: [string, string]; status?: string } | undefined;
  const baseNs = custom?.range_ns ? BigInt(custom.range_ns[0]) : fallbackBaseNs;
  const offset = offsetFrom(baseNs);

  // Rows: from the rows frame, plus any row a state names that it lacks.
  const rows = new Map<number, Row>();
  const order: Row[] = [];
  const addRow = (id: number, parentId: number, name: string, tid: string | null, pid: string | null) => {
    if (!rows.has(id)) {
      const r: Row = { id, parentId, name, tid, pid, children: [], depth: 0 };
      rows.set(id, r);
      order.push(r);
    }
  };
  const ids = values(rowsF, 'id') ?? [];
  const parents = values(rowsF, 'parentId') ?? [];
  const names = values(rowsF, 'name') ?? [];
  const tids = values(rowsF, 'tid') ?? [];
  const pids = values(rowsF, 'pid') ?? [];
  for (let i = 0; i < ids.length; i++) {
    addRow(Number(ids[i]), Number(parents[i] ?? -1), String(names[i] ?? ids[i]), str(tids[i]), str(pids[i]));
  }
  const sRow = values(statesF, 'row') ?? [];
  const sRowName = values(statesF, 'row_name') ?? [];
  for (let i = 0; i < sRow.length; i++) {
    addRow(Number(sRow[i]), -1, String(sRowName[i] ?? sRow[i]), null, null);
  }
  const roots: Row[] = [];
  for (const r of order) {
    const p = rows.get(r.parentId);
    if (p && p !== r) {
      p.children.push(r);
    } else {
      roots.push(r);
    }
  }
  const setDepth = (r: Row, d: number, seen: Set<number>) => {
    if (seen.has(r.id)) {
      return; // a cycle in parentIds: drawn once, flat
    }
    seen.add(r.id);
    r.depth = d;
    for (const c of r.children) {
      setDepth(c, d + 1, seen);
    }
  };
  const seen = new Set<number>();
  roots.forEach((r) => setDepth(r, 0, seen));

  // States per row, sorted by start: one counting pass by row, then each
  // row's slice sorted only when the answer did not already order it.
  const states = new Map<number, RowStates>();
  const legend = new Map<string, string>();
  {
    const st = values(statesF, 'start') ?? [];
    const en = values(statesF, 'end') ?? [];
    const stNs = values(statesF, 'start_ns') ?? [];
    const enNs = values(statesF, 'end_ns') ?? [];
    const val = values(statesF, 'value') ?? [];
    const lab = values(statesF, 'label') ?? [];
    const col = values(statesF, 'color') ?? [];
    const n = sRow.length;
    const count = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const id = Number(sRow[i]);
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    const fill = new Map<number, number>();
    for (const [id, c] of count) {
      states.set(id, { start: new Float64Array(c), end: new Float64Array(c), value: new Array(c), label: new Array(c), color: new Array(c) });
      fill.set(id, 0);
    }
    const unsorted = new Set<number>();
    for (let i = 0; i < n; i++) {
      const id = Number(sRow[i]);
      const rs = states.get(id)!;
      const j = fill.get(id)!;
      fill.set(id, j + 1);
      rs.start[j] = offset(stNs[i], st[i]);
      rs.end[j] = offset(enNs[i], en[i]);
      const v = str(val[i]);
      const c = str(col[i]);
      rs.value[j] = v;
      rs.label[j] = str(lab[i]);
      rs.color[j] = c;
      if (j > 0 && rs.start[j] < rs.start[j - 1]) {
        unsorted.add(id);
      }
      if (v && c && !legend.has(v)) {
        legend.set(v, c);
      }
    }
    for (const id of unsorted) {
      const rs = states.get(id)!;
      const order2 = Array.from(rs.start.keys()).sort((a, b) => rs.start[a] - rs.start[b]);
      states.set(id, {
        start: Float64Array.from(order2, (k) => rs.start[k]),
        end: Float64Array.from(order2, (k) => rs.end[k]),
        value: order2.map((k) => rs.value[k]),
        label: order2.map((k) => rs.label[k]),
        color: order2.map((k) => rs.color[k]),
      });
    }
  }

  const eventsF = byKind.get('events');
  const events: TimelineEvent[] = [];
  {
    const row = values(eventsF, 'row') ?? [];
    const t = values(eventsF, 'time') ?? [];
    const tNs = values(eventsF, 'time_ns') ?? [];
    const type = values(eventsF, 'type') ?? [];
    const label = values(eventsF, 'label') ?? [];
    for (let i = 0; i < row.length; i++) {
      events.push({ row: Number(row[i]), time: offset(tNs[i], t[i]), type: str(type[i]), label: str(label[i]) });
    }
  }

  const linksF = byKind.get('links');
  const links: Link[] = [];
  {
    const src = values(linksF, 'source') ?? [];
    const dst = values(linksF, 'target') ?? [];
    const st = values(linksF, 'start') ?? [];
    const en = values(linksF, 'end') ?? [];
    const stNs = values(linksF, 'start_ns') ?? [];
    const enNs = values(linksF, 'end_ns') ?? [];
    const type = values(linksF, 'type') ?? [];
    const col = values(linksF, 'color') ?? [];
    for (let i = 0; i < src.length; i++) {
      links.push({
        source: Number(src[i]),
        target: Number(dst[i]),
        start: offset(stNs[i], st[i]),
        end: offset(enNs[i], en[i]),
        type: str(type[i]),
        color: str(col[i]),
      });
    }
  }
  return { baseNs, roots, rows, states, events, links, legend: [...legend], status: custom?.status ?? null };
}
