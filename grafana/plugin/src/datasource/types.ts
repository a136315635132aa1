import type { DataQuery, DataSourceJsonData } from '@grafana/schema';

/** How a query is written: pickers (fields) or the bridge's target syntax. */
export type QueryMode = 'builder' | 'code';

/**
 * One panel query. Builder mode sends the fields as the bridge's payload;
 * code mode sends `target` (docs/grafana-api.md "Targets"). Both are kept so
 * switching modes loses nothing.
 */
export interface TspQuery extends DataQuery {
  mode?: QueryMode;
  experiment?: string;
  output?: string;
  /** Exact entry names; one element `*` means every entry with data. */
  entries?: string[];
  /** A view name from views.ts, or empty for the output type's default. */
  view?: string;
  limit?: number;
  markers?: string;
  category?: string;
  /** The thread of a Critical Path (a TID, or a $variable holding one). */
  tid?: string;
  /** Bins of a generic XY (latency density). */
  bins?: number;
  target?: string;
}

export const DEFAULT_QUERY: Partial<TspQuery> = {
  mode: 'builder',
  experiment: '',
  output: '',
  entries: [],
  view: '',
};

/** Settings kept in the datasource's jsonData; secrets live in secureJsonData. */
export interface TspOptions extends DataSourceJsonData {
  /** 'none' | 'basic' | 'bearer': which credentials the Grafana proxy adds. */
  authKind?: 'none' | 'basic' | 'bearer';
  /** Set for bearer: Grafana's data proxy adds header N from these pairs. */
  httpHeaderName1?: string;
}

export interface TspSecureOptions {
  basicAuthPassword?: string;
  httpHeaderValue1?: string;
}

/** A field of the bridge's target payload (docs/grafana-api.md). */
export interface BridgePayload {
  experiment?: string;
  output?: string;
  entries?: string | string[];
  view?: string;
  limit?: number;
  markers?: string;
  category?: string;
  tid?: string;
  bins?: number;
}

/** One target as POST /frames takes it. */
export interface BridgeTarget {
  refId: string;
  target: string;
  payload?: BridgePayload;
}

export interface BridgeFilter {
  key: string;
  operator: string;
  value: string;
}

/** The body of POST /frames (the /query request shape). */
export interface BridgeRequest {
  range: { from: string; to: string };
  maxDataPoints: number;
  intervalMs?: number;
  targets: BridgeTarget[];
  adhocFilters?: BridgeFilter[];
}

/** A data frame as the bridge writes it (the JSON datasource's frame form). */
export interface BridgeFrame {
  name?: string;
  refId?: string;
  fields: Array<{ name: string; type?: string; values: unknown[]; config?: Record<string, unknown> }>;
  meta?: Record<string, unknown>;
}

/** POST /frames answer: one result per refId, as Grafana's backend answers. */
export interface BridgeFramesAnswer {
  results: Record<string, { status: number; frames?: BridgeFrame[]; error?: string }>;
}
