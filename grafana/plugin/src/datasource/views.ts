/**
 * The bridge's views, listed once: the query editor's choices, which output
 * types each fits and whether it answers time-series frames. Kept in the
 * order of docs/grafana-api.md "Views per output type".
 */
export type OutputType = 'TREE_TIME_XY' | 'TIME_GRAPH' | 'TABLE' | 'DATA_TREE' | 'TREE_GENERIC_XY';

export interface ViewInfo {
  name: string;
  label: string;
  description: string;
  /** Output types that have the view; empty = every type. */
  types: OutputType[];
}

export const VIEWS: ViewInfo[] = [
  { name: 'series', label: 'Series', description: 'one time series per entry (points for a scatter)', types: ['TREE_TIME_XY'] },
  {
    name: 'density',
    label: 'Density',
    description: 'bars over a non-time x: duration bins (start, end in ns) or categories',
    types: ['TREE_GENERIC_XY'],
  },
  { name: 'timeline', label: 'Timeline', description: 'state timeline: one field per row', types: ['TIME_GRAPH'] },
  { name: 'intervals', label: 'Intervals', description: 'table of states with start, end, duration', types: ['TIME_GRAPH'] },
  { name: 'arrows', label: 'Arrows', description: 'links between rows (hand-offs, wake-ups)', types: ['TIME_GRAPH'] },
  { name: 'styles', label: 'Styles', description: 'state names and colours', types: ['TIME_GRAPH'] },
  { name: 'nodes', label: 'Nodes', description: 'node graph: rows that links touch', types: ['TIME_GRAPH'] },
  { name: 'edges', label: 'Edges', description: 'node graph: links per pair of rows', types: ['TIME_GRAPH'] },
  { name: 'events', label: 'Events', description: 'table lines in the time range', types: ['TABLE'] },
  { name: 'tree', label: 'Tree', description: 'data tree as a table (statistics)', types: ['DATA_TREE'] },
  { name: 'kernel', label: 'Kernel view', description: 'rows, states, events and links for the Kernel view panel', types: ['TIME_GRAPH'] },
  { name: 'annotations', label: 'Annotations', description: 'markers as Grafana annotations', types: [] },
];

export const OUTPUT_TYPES: OutputType[] = ['TREE_TIME_XY', 'TIME_GRAPH', 'TABLE', 'DATA_TREE', 'TREE_GENERIC_XY'];

export function viewByName(name: string | undefined): ViewInfo | undefined {
  return VIEWS.find((v) => v.name === name);
}

/** The views an output of type t offers (all when the type is unknown). */
export function viewsFor(t: OutputType | undefined): ViewInfo[] {
  if (!t) {
    return VIEWS;
  }
  return VIEWS.filter((v) => v.types.length === 0 || v.types.includes(t));
}
