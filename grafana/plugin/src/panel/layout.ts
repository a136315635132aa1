import type { Link, Row, RowStates, TimelineModel } from './model';

/**
 * The kernel view's geometry, without a canvas: which rows show and where,
 * time ↔ pixel, states merged below a pixel, arrow end points. Pure.
 */

export interface VisibleRow {
  row: Row;
  hasChildren: boolean;
  collapsed: boolean;
}

function matches(r: Row, needle: string): boolean {
  return (
    r.name.toLowerCase().includes(needle) ||
    (r.tid !== null && r.tid === needle) ||
    (r.pid !== null && r.pid === needle)
  );
}

/**
 * Rows in tree order. Children of a collapsed row are hidden; with a filter
 * (a name part, or an exact tid / pid), a row shows when it or one of its
 * descendants matches, so matches keep their ancestors.
 */
export function visibleRows(m: TimelineModel, collapsed: ReadonlySet<number>, filter = ''): VisibleRow[] {
  const needle = filter.trim().toLowerCase();
  const keep = new Map<number, boolean>();
  const mark = (r: Row, seen: Set<number>): boolean => {
    if (seen.has(r.id)) {
      return false;
    }
    seen.add(r.id);
    let k = needle === '' || matches(r, needle);
    for (const c of r.children) {
      k = mark(c, seen) || k;
    }
    keep.set(r.id, k);
    return k;
  };
  const seen = new Set<number>();
  m.roots.forEach((r) => mark(r, seen));
  const out: VisibleRow[] = [];
  const walk = (r: Row, done: Set<number>) => {
    if (done.has(r.id) || !keep.get(r.id)) {
      return;
    }
    done.add(r.id);
    const isCollapsed = collapsed.has(r.id) && r.children.length > 0;
    out.push({ row: r, hasChildren: r.children.length > 0, collapsed: isCollapsed });
    if (!isCollapsed) {
      r.children.forEach((c) => walk(c, done));
    }
  };
  const done = new Set<number>();
  m.roots.forEach((r) => walk(r, done));
  return out;
}

/** Row id → its line among the visible rows. */
export function indexOf(visible: VisibleRow[]): Map<number, number> {
  return new Map(visible.map((v, i) => [v.row.id, i]));
}

/** The line a row is drawn on: its own, or its nearest visible ancestor's (collapsed); undefined when filtered out. */
export function shownLine(m: TimelineModel, index: Map<number, number>, id: number): number | undefined {
  let r = m.rows.get(id);
  for (let hops = 0; r && hops < 1000; hops++) {
    const i = index.get(r.id);
    if (i !== undefined) {
      return i;
    }
    r = m.rows.get(r.parentId);
  }
  return undefined;
}

/** The view's time span (ns offsets from the model's base) over a strip of pixels. */
export interface Scale {
  t0: number;
  t1: number;
  x0: number;
  width: number;
}

export function xOf(s: Scale, t: number): number {
  return s.x0 + ((t - s.t0) * s.width) / (s.t1 - s.t0);
}

export function tOf(s: Scale, x: number): number {
  return s.t0 + ((x - s.x0) * (s.t1 - s.t0)) / s.width;
}

export interface Rect {
  x: number;
  w: number;
  color: string | null;
  /** The state drawn, or -1 for a pixel that merges several. */
  index: number;
}

/** First state whose end is after t (states are sorted and do not overlap). */
export function firstEndingAfter(rs: RowStates, t: number): number {
  let lo = 0;
  let hi = rs.start.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rs.end[mid] <= t) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/** The state at time t, or -1 in a gap. */
export function stateAt(rs: RowStates, t: number): number {
  const i = firstEndingAfter(rs, t);
  return i < rs.start.length && rs.start[i] <= t ? i : -1;
}

/**
 * One row's states as rectangles clipped to the view. States narrower than
 * a pixel are merged per pixel, drawn in the colour that covers most of it:
 * a row of 100,000 states costs at most one rectangle per pixel.
 */
export function lodRects(rs: RowStates, s: Scale): Rect[] {
  const out: Rect[] = [];
  const xEnd = s.x0 + s.width;
  let px = NaN;
  let cover = new Map<string | null, number>();
  let first = -1;
  let count = 0;
  const flush = () => {
    if (count === 0) {
      return;
    }
    let best: string | null = null;
    let bestW = -1;
    for (const [c, w] of cover) {
      if (w > bestW) {
        best = c;
        bestW = w;
      }
    }
    out.push({ x: px, w: 1, color: best, index: count === 1 ? first : -1 });
    cover = new Map();
    count = 0;
  };
  for (let i = firstEndingAfter(rs, s.t0); i < rs.start.length && rs.start[i] < s.t1; i++) {
    const a = Math.max(xOf(s, rs.start[i]), s.x0);
    const b = Math.min(xOf(s, rs.end[i]), xEnd);
    if (b - a >= 1) {
      flush();
      px = NaN;
      out.push({ x: a, w: b - a, color: rs.color[i], index: i });
      continue;
    }
    const p = Math.floor(a);
    if (p !== px) {
      flush();
      px = p;
      first = i;
    }
    cover.set(rs.color[i], (cover.get(rs.color[i]) ?? 0) + Math.max(b - a, 0));
    count++;
  }
  flush();
  return out;
}

export interface Segment {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  color: string | null;
  type: string | null;
  link: number;
}

export interface ArrowView {
  scale: Scale;
  /** y of a line's middle. */
  lineY: (line: number) => number;
  top: number;
  bottom: number;
  /** Link types to draw; null for all. */
  types: ReadonlySet<string> | null;
}

/**
 * Links as segments between the lines their rows are drawn on (a collapsed
 * row's visible ancestor), culled to the view; links that land on one line
 * after collapsing, or touch a filtered-out row, are not drawn. Segments
 * that fall on the same pixels are drawn once.
 */
export function arrowSegments(m: TimelineModel, links: Link[], index: Map<number, number>, v: ArrowView): Segment[] {
  const out: Segment[] = [];
  const seen = new Set<string>();
  const xEnd = v.scale.x0 + v.scale.width;
  for (let i = 0; i < links.length; i++) {
    const l = links[i];
    if (v.types && !v.types.has(l.type ?? '')) {
      continue;
    }
    const a = shownLine(m, index, l.source);
    const b = shownLine(m, index, l.target);
    if (a === undefined || b === undefined || a === b) {
      continue;
    }
    const x0 = xOf(v.scale, l.start);
    const x1 = xOf(v.scale, l.end);
    const y0 = v.lineY(a);
    const y1 = v.lineY(b);
    if (Math.max(x0, x1) < v.scale.x0 || Math.min(x0, x1) > xEnd) {
      continue;
    }
    if ((y0 < v.top && y1 < v.top) || (y0 > v.bottom && y1 > v.bottom)) {
      continue;
    }
    const key = `${Math.round(x0)},${Math.round(y0)},${Math.round(x1)},${Math.round(y1)},${l.color}`;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    out.push({ x0, y0, x1, y1, color: l.color, type: l.type, link: i });
  }
  return out;
}

/** A duration in ns, readable: 1.234 ms, 12.5 µs, 830 ns. */
export function formatDuration(ns: number): string {
  const a = Math.abs(ns);
  if (a >= 1e9) {
    return `${(ns / 1e9).toFixed(3)} s`;
  }
  if (a >= 1e6) {
    return `${(ns / 1e6).toFixed(3)} ms`;
  }
  if (a >= 1e3) {
    return `${(ns / 1e3).toFixed(3)} µs`;
  }
  return `${Math.round(ns)} ns`;
}
