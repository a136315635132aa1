import React, { useEffect, useMemo, useRef, useState } from 'react';
import { dateTime, LoadingState, type PanelProps } from '@grafana/data';
import { Input, useTheme2 } from '@grafana/ui';
import { formatDuration, stateAt, type Scale, tOf, visibleRows } from './layout';
import { buildModel, nsString } from './model';
import { draw, type DrawSummary, type Frame, type Look } from './render';
import type { KernelViewOptions } from './types';

type Props = PanelProps<KernelViewOptions>;

const GUTTER = 180;
const AXIS = 22;
const HEADER = 30;

interface Tip {
  x: number;
  y: number;
  lines: string[];
}

function localTime(baseNs: bigint, offset: number): string {
  const ns = BigInt(nsString(baseNs, offset));
  const ms = Number(ns / 1000000n);
  const frac = (ns % 1000000000n).toString().padStart(9, '0');
  return `${dateTime(ms).format('YYYY-MM-DD HH:mm:ss')}.${frac}`;
}

/**
 * Trace Compass's time graph in a Grafana panel: rows as a tree, states in
 * their styles' colours, instant events, links as arrows between rows. Drag
 * zooms (sets the dashboard's range), shift-drag and the wheel pan.
 */
export function KernelViewPanel({ data, width, height, timeRange, onChangeTimeRange, options }: Props) {
  const theme = useTheme2();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [filter, setFilter] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const [drag, setDrag] = useState<{ x0: number; x1: number; pan: boolean } | null>(null);
  const [tip, setTip] = useState<Tip | null>(null);

  const fromMs = timeRange.from.valueOf();
  const toMs = timeRange.to.valueOf();
  // Built once per answer: a new range alone redraws the same model at another scale.
  const model = useMemo(
    () => buildModel(data.series, BigInt(Math.round(fromMs)) * 1000000n),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [data.series]
  );
  const visible = useMemo(() => visibleRows(model, collapsed, filter), [model, collapsed, filter]);
  const legendH = options.showLegend && model.legend.length ? 22 : 0;
  const plotH = Math.max(height - HEADER - legendH, AXIS + 10);
  const rowHeight = Math.max(6, Math.min(options.rowHeight || 18, 60));
  const maxScroll = Math.max(0, visible.length * rowHeight - (plotH - AXIS));
  const top = Math.min(scrollTop, maxScroll);

  // The view: the dashboard's range, as ns offsets from the model's base.
  const scale: Scale = useMemo(() => {
    const t0 = Number(BigInt(Math.round(fromMs)) * 1000000n - model.baseNs);
    const t1 = Number(BigInt(Math.round(toMs)) * 1000000n - model.baseNs);
    return { t0, t1: t1 > t0 ? t1 : t0 + 1, x0: GUTTER, width: Math.max(width - GUTTER, 1) };
  }, [fromMs, toMs, model.baseNs, width]);
  const shown: Scale = useMemo(() => {
    if (!drag || !drag.pan) {
      return scale;
    }
    const dt = tOf(scale, drag.x0) - tOf(scale, drag.x1);
    return { ...scale, t0: scale.t0 + dt, t1: scale.t1 + dt };
  }, [scale, drag]);
  const arrowTypes = useMemo(() => {
    const list = options.arrowTypes.split(',').map((s) => s.trim()).filter(Boolean);
    return list.length ? new Set(list) : null;
  }, [options.arrowTypes]);

  const frame: Frame = {
    width,
    height: plotH,
    gutter: GUTTER,
    axis: AXIS,
    rowHeight,
    scrollTop: top,
    scale: shown,
    showArrows: options.showArrows,
    showEvents: options.showEvents,
    arrowTypes,
    selection: drag && !drag.pan ? [drag.x0, drag.x1] : null,
  };
  const look: Look = {
    background: theme.colors.background.primary,
    stripe: theme.colors.background.secondary,
    text: theme.colors.text.primary,
    weakText: theme.colors.text.secondary,
    border: theme.colors.border.medium,
    noColor: theme.colors.text.disabled,
    selection: 'rgba(120, 160, 255, 0.25)',
    font: `${Math.min(12, rowHeight - 4)}px ${theme.typography.fontFamily}`,
  };

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx) {
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(plotH * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const t = performance.now();
    const summary: DrawSummary & { ms?: number } = draw(ctx, model, visible, frame, look);
    summary.ms = performance.now() - t;
    // What was drawn and when, for tests and benchmarks (a property of the element, no global).
    (c as unknown as { kernelview: unknown }).kernelview = { ...summary, at: performance.now(), scale: shown, visible: visible.map((v) => v.row.id) };
  });

  const commitRange = (t0: number, t1: number) => {
    const from = Number((model.baseNs + BigInt(Math.round(t0))) / 1000000n);
    const to = Number((model.baseNs + BigInt(Math.round(t1))) / 1000000n);
    if (to > from) {
      onChangeTimeRange({ from, to });
    }
  };
  const local = (e: React.MouseEvent | React.WheelEvent) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const lineAt = (y: number) => Math.floor((y - AXIS + top) / rowHeight);

  const onMouseDown = (e: React.MouseEvent) => {
    const { x, y } = local(e);
    if (y < AXIS) {
      return;
    }
    if (x < GUTTER) {
      const v = visible[lineAt(y)];
      if (v && v.hasChildren) {
        const next = new Set(collapsed);
        next.has(v.row.id) ? next.delete(v.row.id) : next.add(v.row.id);
        setCollapsed(next);
      }
      return;
    }
    setTip(null);
    setDrag({ x0: x, x1: x, pan: e.shiftKey });
  };
  const onMouseMove = (e: React.MouseEvent) => {
    const { x, y } = local(e);
    if (drag) {
      setDrag({ ...drag, x1: Math.max(GUTTER, Math.min(x, width)) });
      return;
    }
    const v = visible[lineAt(y)];
    const rs = v && model.states.get(v.row.id);
    const i = rs && x >= GUTTER && y >= AXIS ? stateAt(rs, tOf(scale, x)) : -1;
    if (!v || !rs || i < 0) {
      setTip(null);
      return;
    }
    const ids = [v.row.tid !== null ? `tid ${v.row.tid}` : '', v.row.pid !== null ? `pid ${v.row.pid}` : ''].filter(Boolean).join(', ');
    setTip({
      x,
      y,
      lines: [
        `${rs.value[i] ?? '(no state)'}${rs.label[i] ? ` (${rs.label[i]})` : ''}`,
        `${v.row.name}${ids ? ` (${ids})` : ''}`,
        `start ${nsString(model.baseNs, rs.start[i])} ns (${localTime(model.baseNs, rs.start[i])})`,
        `end ${nsString(model.baseNs, rs.end[i])} ns (${localTime(model.baseNs, rs.end[i])})`,
        `duration ${formatDuration(rs.end[i] - rs.start[i])}`,
      ],
    });
  };
  const onMouseUp = () => {
    if (!drag) {
      return;
    }
    const d = drag;
    setDrag(null);
    if (Math.abs(d.x1 - d.x0) < 3) {
      return;
    }
    if (d.pan) {
      commitRange(shown.t0, shown.t1);
    } else {
      const a = tOf(scale, Math.min(d.x0, d.x1));
      const b = tOf(scale, Math.max(d.x0, d.x1));
      commitRange(a, b);
    }
  };
  const onWheel = (e: React.WheelEvent) => {
    const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY) || maxScroll === 0;
    if (!horizontal) {
      setScrollTop(Math.max(0, Math.min(maxScroll, top + e.deltaY)));
      return;
    }
    const d = e.shiftKey && e.deltaX === 0 ? e.deltaY : e.deltaX || e.deltaY;
    const dt = ((scale.t1 - scale.t0) * d) / scale.width;
    commitRange(scale.t0 + dt, scale.t1 + dt);
  };

  const noStates = model.states.size === 0;
  let message: string | null = null;
  if (data.state === LoadingState.Error) {
    message = data.errors?.[0]?.message ?? data.error?.message ?? 'the query failed';
  } else if (noStates && data.state !== LoadingState.Loading) {
    message =
      data.series.length === 0
        ? 'No timeline: query a TIME_GRAPH output (Thread Status, Resources) with the view "Kernel view", or Infinity\'s /timeline/rows, /states, /events and /links forms.'
        : 'No state in this time range.';
  }

  return (
    <div style={{ width, height, position: 'relative', overflow: 'hidden' }} data-testid="kernelview">
      <div style={{ height: HEADER, display: 'flex', alignItems: 'center', gap: 8 }}>
        <div style={{ width: GUTTER - 8 }}>
          <Input
            data-testid="kernelview-filter"
            placeholder="Filter rows (name, tid, pid)"
            value={filter}
            onChange={(e) => {
              setFilter(e.currentTarget.value);
              setScrollTop(0);
            }}
          />
        </div>
        <span style={{ color: theme.colors.text.secondary, fontSize: 12 }} data-testid="kernelview-status">
          {visible.length} rows
          {model.status === 'RUNNING' ? ' · analysis still running: partial data, refresh for more' : ''}
        </span>
      </div>
      <canvas
        ref={canvas}
        data-testid="kernelview-canvas"
        style={{ width, height: plotH, display: 'block', cursor: drag ? (drag.pan ? 'grabbing' : 'col-resize') : 'crosshair' }}
        onMouseDown={onMouseDown}
        onMouseMove={onMouseMove}
        onMouseUp={onMouseUp}
        onMouseLeave={() => {
          setTip(null);
          if (drag) {
            onMouseUp();
          }
        }}
        onWheel={onWheel}
      />
      {legendH ? (
        <div data-testid="kernelview-legend" style={{ height: legendH, display: 'flex', gap: 12, fontSize: 12, alignItems: 'center', overflow: 'hidden' }}>
          {model.legend.map(([name, color]) => (
            <span key={name} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
              <span style={{ width: 10, height: 10, background: color, display: 'inline-block', borderRadius: 2 }} />
              {name}
            </span>
          ))}
        </div>
      ) : null}
      {message ? (
        <div
          data-testid="kernelview-message"
          style={{ position: 'absolute', top: HEADER + AXIS + 8, left: GUTTER + 8, right: 8, color: theme.colors.text.secondary }}
        >
          {message}
        </div>
      ) : null}
      {tip ? (
        <div
          data-testid="kernelview-tooltip"
          style={{
            position: 'absolute',
            left: Math.min(tip.x + 12, width - 330),
            top: HEADER + tip.y + 12,
            background: theme.colors.background.secondary,
            border: `1px solid ${theme.colors.border.medium}`,
            padding: '4px 8px',
            fontSize: 12,
            pointerEvents: 'none',
            whiteSpace: 'nowrap',
            zIndex: 10,
          }}
        >
          {tip.lines.map((l, i) => (
            <div key={i} style={i === 0 ? { fontWeight: 500 } : undefined}>
              {l}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
