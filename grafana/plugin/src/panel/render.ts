import { arrowSegments, indexOf, lodRects, type Scale, type Segment, type VisibleRow, xOf } from './layout';
import type { TimelineModel } from './model';

/** Colours and sizes the canvas is drawn with (from Grafana's theme). */
export interface Look {
  background: string;
  stripe: string;
  text: string;
  weakText: string;
  border: string;
  noColor: string;
  selection: string;
  font: string;
}

export interface Frame {
  width: number;
  height: number;
  gutter: number;
  axis: number;
  rowHeight: number;
  scrollTop: number;
  scale: Scale;
  showArrows: boolean;
  showEvents: boolean;
  arrowTypes: ReadonlySet<string> | null;
  /** A drag in progress, in canvas x. */
  selection: [number, number] | null;
}

/** What a draw put on the canvas, for the tests and the tooltip. */
export interface DrawSummary {
  firstLine: number;
  lines: number;
  rects: number;
  segments: Segment[];
  events: number;
}

const PALETTE = ['#e8743b', '#19a979', '#945ecf', '#13a4b4', '#525df4', '#bf399e', '#6c8893', '#ee6868'];

/** A link type's colour when its style has none: stable per type. */
export function typeColor(type: string | null): string {
  let h = 0;
  for (const c of type ?? '') {
    h = (h * 31 + c.charCodeAt(0)) | 0;
  }
  return PALETTE[Math.abs(h) % PALETTE.length];
}

/** The y of a line's middle, in canvas pixels. */
export function lineY(f: Frame, line: number): number {
  return f.axis + line * f.rowHeight - f.scrollTop + f.rowHeight / 2;
}

function niceStep(ns: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(ns)));
  for (const m of [1, 2, 5, 10]) {
    if (m * p >= ns) {
      return m * p;
    }
  }
  return 10 * p;
}

function tickLabel(baseNs: bigint, t: number, step: number): string {
  const ns = baseNs + BigInt(Math.round(t));
  const ms = Number(ns / 1000000n);
  const d = new Date(ms);
  const hms = d.toISOString().slice(11, 23);
  if (step >= 1e6) {
    return hms;
  }
  const sub = Number(ns % 1000000n)
    .toString()
    .padStart(6, '0');
  return step >= 1e3 ? `${hms}.${sub.slice(0, 3)}` : `${hms}.${sub}`;
}

/** Draws the whole panel: names, axis, states, events, arrows, selection. */
export function draw(ctx: CanvasRenderingContext2D, m: TimelineModel, visible: VisibleRow[], f: Frame, look: Look): DrawSummary {
  const { width, height, gutter, axis, rowHeight: rh } = f;
  ctx.fillStyle = look.background;
  ctx.fillRect(0, 0, width, height);
  ctx.font = look.font;
  ctx.textBaseline = 'middle';

  const firstLine = Math.max(0, Math.floor(f.scrollTop / rh));
  const lastLine = Math.min(visible.length, Math.ceil((f.scrollTop + height - axis) / rh));
  let rects = 0;

  ctx.save();
  ctx.beginPath();
  ctx.rect(0, axis, width, height - axis);
  ctx.clip();
  for (let line = firstLine; line < lastLine; line++) {
    const v = visible[line];
    const top = axis + line * rh - f.scrollTop;
    if (line % 2 === 1) {
      ctx.fillStyle = look.stripe;
      ctx.fillRect(0, top, width, rh);
    }
    // The name, indented by depth, with the collapse toggle.
    ctx.fillStyle = look.text;
    const indent = 4 + v.row.depth * 12;
    if (v.hasChildren) {
      ctx.fillText(v.collapsed ? '▸' : '▾', indent, top + rh / 2);
    }
    const ids = v.row.tid !== null ? ` ${v.row.tid}` : '';
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, top, gutter - 4, rh);
    ctx.clip();
    ctx.fillText(v.row.name, indent + 12, top + rh / 2);
    if (ids) {
      const w = ctx.measureText(v.row.name).width;
      ctx.fillStyle = look.weakText;
      ctx.fillText(ids, indent + 12 + w, top + rh / 2);
    }
    ctx.restore();
    // States, merged below a pixel.
    const rs = m.states.get(v.row.id);
    if (rs) {
      const h = Math.max(2, Math.round(rh * 0.7));
      const y = Math.round(top + (rh - h) / 2);
      for (const r of lodRects(rs, f.scale)) {
        ctx.fillStyle = r.color ?? look.noColor;
        ctx.fillRect(r.x, y, Math.max(r.w, 1), h);
        rects++;
      }
    }
  }
  // Instant events: small marks on their row.
  let events = 0;
  if (f.showEvents && m.events.length) {
    const index = indexOf(visible);
    ctx.fillStyle = look.text;
    for (const e of m.events) {
      const line = index.get(e.row);
      if (line === undefined || line < firstLine || line >= lastLine) {
        continue;
      }
      const x = xOf(f.scale, e.time);
      if (x < gutter || x > width) {
        continue;
      }
      const top = axis + line * rh - f.scrollTop;
      ctx.beginPath();
      ctx.moveTo(x, top + 1);
      ctx.lineTo(x - 3, top + 6);
      ctx.lineTo(x + 3, top + 6);
      ctx.closePath();
      ctx.fill();
      events++;
    }
  }
  // Arrows between the lines of their rows.
  let segments: Segment[] = [];
  if (f.showArrows && m.links.length) {
    segments = arrowSegments(m, m.links, indexOf(visible), {
      scale: f.scale,
      lineY: (line) => lineY(f, line),
      top: axis,
      bottom: height,
      types: f.arrowTypes,
    });
    ctx.lineWidth = 1.5;
    for (const s of segments) {
      const c = s.color ?? typeColor(s.type);
      ctx.strokeStyle = c;
      ctx.fillStyle = c;
      ctx.beginPath();
      ctx.moveTo(s.x0, s.y0);
      ctx.lineTo(s.x1, s.y1);
      ctx.stroke();
      const a = Math.atan2(s.y1 - s.y0, s.x1 - s.x0);
      ctx.beginPath();
      ctx.moveTo(s.x1, s.y1);
      ctx.lineTo(s.x1 - 7 * Math.cos(a - 0.4), s.y1 - 7 * Math.sin(a - 0.4));
      ctx.lineTo(s.x1 - 7 * Math.cos(a + 0.4), s.y1 - 7 * Math.sin(a + 0.4));
      ctx.closePath();
      ctx.fill();
    }
  }
  ctx.restore();

  // The gutter's edge and the time axis.
  ctx.fillStyle = look.background;
  ctx.fillRect(0, 0, width, axis);
  ctx.strokeStyle = look.border;
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(gutter - 0.5, 0);
  ctx.lineTo(gutter - 0.5, height);
  ctx.moveTo(gutter, axis - 0.5);
  ctx.lineTo(width, axis - 0.5);
  ctx.stroke();
  const span = f.scale.t1 - f.scale.t0;
  if (span > 0) {
    const step = niceStep((span * 120) / f.scale.width);
    ctx.fillStyle = look.weakText;
    for (let t = Math.ceil(f.scale.t0 / step) * step; t <= f.scale.t1; t += step) {
      const x = xOf(f.scale, t);
      ctx.fillRect(x, axis - 5, 1, 5);
      ctx.fillText(tickLabel(m.baseNs, t, step), x + 3, axis / 2);
    }
  }
  if (f.selection) {
    const [a, b] = f.selection;
    ctx.fillStyle = look.selection;
    ctx.fillRect(Math.min(a, b), axis, Math.abs(b - a), height - axis);
  }
  return { firstLine, lines: lastLine - firstLine, rects, segments, events };
}
