import type { ScopedVars } from '@grafana/data';
import { interpolateEntries, interpolateField, interpolateTarget, type TemplateSrvLike } from './interpolate';
import type { BridgeFilter, BridgePayload, BridgeTarget, TspQuery } from './types';

/**
 * Grafana queries → the bridge's targets. Pure: no network, no Grafana
 * runtime, so it is tested as it is.
 */

/** A query says nothing yet: a new panel, or pickers not chosen. */
export function isEmptyQuery(q: TspQuery): boolean {
  if (q.mode === 'code') {
    return !q.target || q.target.trim() === '';
  }
  return !q.experiment && !q.output;
}

export function buildTarget(q: TspQuery, ts: TemplateSrvLike, vars: ScopedVars): BridgeTarget {
  if (q.mode === 'code') {
    return { refId: q.refId, target: interpolateTarget(ts, q.target, vars) };
  }
  const payload: BridgePayload = {
    experiment: interpolateField(ts, q.experiment, vars) || '*',
    output: interpolateField(ts, q.output, vars) || '*',
  };
  const entries = interpolateEntries(ts, q.entries, vars);
  if (entries !== undefined) {
    payload.entries = entries;
  }
  if (q.view) {
    payload.view = q.view;
  }
  if (q.limit !== undefined && q.limit !== null && String(q.limit) !== '') {
    payload.limit = Number(q.limit);
  }
  const markers = interpolateField(ts, q.markers, vars);
  if (markers) {
    payload.markers = markers;
  }
  const category = interpolateField(ts, q.category, vars);
  if (category) {
    payload.category = category;
  }
  // The bridge checks the thread id (a whole number) and says so when it is not one.
  const tid = q.tid ? ts.replace(String(q.tid), vars).trim() : '';
  if (tid) {
    payload.tid = tid;
  }
  if (q.bins !== undefined && q.bins !== null && String(q.bins) !== '') {
    payload.bins = Number(q.bins);
  }
  return { refId: q.refId, target: '', payload };
}

/** Every visible, non-empty query, in order. */
export function buildTargets(queries: TspQuery[], ts: TemplateSrvLike, vars: ScopedVars): BridgeTarget[] {
  return queries.filter((q) => !q.hide && !isEmptyQuery(q)).map((q) => buildTarget(q, ts, vars));
}

/** Ad hoc filters with their values interpolated, in the bridge's form. */
export function buildFilters(
  filters: Array<{ key: string; operator: string; value: string }> | undefined,
  ts: TemplateSrvLike,
  vars: ScopedVars
): BridgeFilter[] | undefined {
  if (!filters || filters.length === 0) {
    return undefined;
  }
  return filters.map((f) => ({ key: f.key, operator: f.operator, value: ts.replace(f.value, vars) }));
}

/** One line for a target in messages: its text, or its fields. */
export function describeTarget(t: BridgeTarget): string {
  if (t.target) {
    return t.target;
  }
  const p = t.payload ?? {};
  return [p.experiment, p.output].filter(Boolean).join('/') || t.refId;
}
