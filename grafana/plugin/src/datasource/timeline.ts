import { type DataFrame, FieldType, createDataFrame } from '@grafana/data';

/**
 * The bridge's timeline document (spec/timeline/timeline-v1.schema.json)
 * as data frames named rows, states, events and links, with the fields of
 * the flat /timeline/* forms, so the kernel view panel reads the same frames
 * from this datasource and from Infinity. Pure.
 */

export const TIMELINE_SCHEMA = 'tsp-bridge/timeline';
export const TIMELINE_VERSION = 1;

interface DocRow {
  id: number;
  parentId: number;
  name: string;
  labels?: string[];
  metadata?: Record<string, unknown[]>;
}
interface DocState {
  row: number;
  start_ns: string;
  end_ns: string;
  start_ms: number;
  end_ms: number;
  value?: string | null;
  label?: string | null;
  style?: string | null;
  color?: string;
}
interface DocEvent {
  row: number;
  time_ns: string;
  time_ms: number;
  type?: string | null;
  label?: string | null;
}
interface DocLink {
  source: number;
  target: number;
  start_ns: string;
  end_ns: string;
  start_ms: number;
  end_ms: number;
  type?: string | null;
  style?: string | null;
}
export interface TimelineDoc {
  schema: string;
  version: number;
  source: {
    experiment: { name: string };
    output: { name: string };
    range: { start_ns: string; end_ns: string; start_ms: number; end_ms: number };
    status: string;
    statusMessage?: string;
    notices?: string[];
  };
  rows: DocRow[];
  states: DocState[];
  events: DocEvent[];
  links: DocLink[];
  styles: Record<string, { name?: string; color?: string }>;
}

/** What the kernel view reads from frames' meta.custom. */
export interface TimelineMeta {
  schema: string;
  version: number;
  range_ns: [string, string];
  status: string;
}

function first(v: unknown[] | undefined): string | null {
  return v && v.length ? String(v[0]) : null;
}

/** The document as four frames; throws on a document of another schema or version. */
export function timelineFrames(doc: TimelineDoc, refId: string): DataFrame[] {
  if (!doc || doc.schema !== TIMELINE_SCHEMA || doc.version !== TIMELINE_VERSION) {
    throw new Error(
      `tsp-bridge answered a timeline of schema ${String(doc?.schema)} version ${String(doc?.version)}; this plugin reads ${TIMELINE_SCHEMA} version ${TIMELINE_VERSION}`
    );
  }
  const styles = doc.styles ?? {};
  const custom: TimelineMeta = {
    schema: doc.schema,
    version: doc.version,
    range_ns: [doc.source.range.start_ns, doc.source.range.end_ns],
    status: doc.source.status,
  };
  const notices = [...(doc.source.notices ?? [])];
  if (doc.source.status === 'RUNNING') {
    notices.push('the analysis is still running: partial timeline, refresh for more');
  }
  const meta = { custom, notices: notices.map((text) => ({ severity: 'warning' as const, text })) };
  const rows = doc.rows;
  const rowName = new Map(rows.map((r) => [r.id, r.name]));
  const states = doc.states;
  const colorOf = (s: { style?: string | null; color?: string }) =>
    s.color ?? (s.style && styles[s.style]?.color) ?? null;

  return [
    createDataFrame({
      name: 'rows',
      refId,
      meta,
      fields: [
        { name: 'id', type: FieldType.number, values: rows.map((r) => r.id) },
        { name: 'parentId', type: FieldType.number, values: rows.map((r) => r.parentId) },
        { name: 'name', type: FieldType.string, values: rows.map((r) => r.name) },
        { name: 'tid', type: FieldType.string, values: rows.map((r) => first(r.metadata?.tid)) },
        { name: 'pid', type: FieldType.string, values: rows.map((r) => first(r.metadata?.pid)) },
      ],
    }),
    createDataFrame({
      name: 'states',
      refId,
      meta,
      fields: [
        { name: 'row', type: FieldType.number, values: states.map((s) => s.row) },
        { name: 'row_name', type: FieldType.string, values: states.map((s) => rowName.get(s.row) ?? null) },
        { name: 'start', type: FieldType.time, values: states.map((s) => s.start_ms) },
        { name: 'end', type: FieldType.time, values: states.map((s) => s.end_ms) },
        { name: 'start_ns', type: FieldType.string, values: states.map((s) => s.start_ns) },
        { name: 'end_ns', type: FieldType.string, values: states.map((s) => s.end_ns) },
        { name: 'value', type: FieldType.string, values: states.map((s) => s.value ?? null) },
        { name: 'label', type: FieldType.string, values: states.map((s) => s.label ?? null) },
        { name: 'color', type: FieldType.string, values: states.map(colorOf) },
      ],
    }),
    createDataFrame({
      name: 'events',
      refId,
      meta,
      fields: [
        { name: 'row', type: FieldType.number, values: doc.events.map((e) => e.row) },
        { name: 'time', type: FieldType.time, values: doc.events.map((e) => e.time_ms) },
        { name: 'time_ns', type: FieldType.string, values: doc.events.map((e) => e.time_ns) },
        { name: 'type', type: FieldType.string, values: doc.events.map((e) => e.type ?? null) },
        { name: 'label', type: FieldType.string, values: doc.events.map((e) => e.label ?? null) },
      ],
    }),
    createDataFrame({
      name: 'links',
      refId,
      meta,
      fields: [
        { name: 'source', type: FieldType.number, values: doc.links.map((l) => l.source) },
        { name: 'target', type: FieldType.number, values: doc.links.map((l) => l.target) },
        { name: 'start', type: FieldType.time, values: doc.links.map((l) => l.start_ms) },
        { name: 'end', type: FieldType.time, values: doc.links.map((l) => l.end_ms) },
        { name: 'start_ns', type: FieldType.string, values: doc.links.map((l) => l.start_ns) },
        { name: 'end_ns', type: FieldType.string, values: doc.links.map((l) => l.end_ns) },
        { name: 'type', type: FieldType.string, values: doc.links.map((l) => l.type ?? null) },
        { name: 'color', type: FieldType.string, values: doc.links.map(colorOf) },
      ],
    }),
  ];
}
