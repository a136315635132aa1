import {
  type DataFrame,
  type DataQueryError,
  type DataQueryResponse,
  LoadingState,
  toDataFrame,
} from '@grafana/data';
import type { BridgeFramesAnswer, BridgeTarget } from './types';

/**
 * The bridge's answers → Grafana's. Pure, like bridge.ts.
 */

/** The bridge's `{"error": "..."}`, or what else an HTTP failure carries. */
export function errorMessage(err: unknown): string {
  const e = err as { data?: { error?: unknown; message?: unknown }; status?: number; statusText?: string; message?: unknown };
  if (e && e.data && typeof e.data.error === 'string') {
    return e.data.error;
  }
  if (e && e.data && typeof e.data.message === 'string') {
    return e.data.message;
  }
  if (e && typeof e.message === 'string' && e.message) {
    return e.message;
  }
  if (e && e.status) {
    return `HTTP ${e.status}${e.statusText ? ' ' + e.statusText : ''} from tsp-bridge`;
  }
  return 'tsp-bridge did not answer';
}

/**
 * POST /frames → frames and per-query errors. A refId the bridge did not
 * answer for is an error too: silence must not look like "no data".
 */
export function toResponse(answer: BridgeFramesAnswer, targets: BridgeTarget[]): DataQueryResponse {
  const data: DataFrame[] = [];
  const errors: DataQueryError[] = [];

  if (!answer || typeof answer !== 'object' || !answer.results || typeof answer.results !== 'object') {
    const message = 'tsp-bridge answered something that is not a /frames answer';
    return { data, errors: targets.map((t) => ({ refId: t.refId, message })), error: { message }, state: LoadingState.Error };
  }
  for (const t of targets) {
    const r = answer.results[t.refId];
    if (!r) {
      errors.push({ refId: t.refId, message: `tsp-bridge sent no result for query ${t.refId}` });
      continue;
    }
    if (r.error) {
      errors.push({ refId: t.refId, message: r.error, status: r.status });
    }
    for (const f of r.frames ?? []) {
      const frame = toDataFrame(f);
      frame.refId = t.refId;
      data.push(frame);
    }
  }
  const res: DataQueryResponse = { data, state: errors.length ? LoadingState.Error : LoadingState.Done };
  if (errors.length) {
    res.errors = errors;
    res.error = errors[0];
  }
  return res;
}

/** A failure of the whole request: every query carries it. */
export function failureResponse(err: unknown, targets: BridgeTarget[]): DataQueryResponse {
  const message = errorMessage(err);
  const status = (err as { status?: number })?.status;
  const errors = targets.map((t) => ({ refId: t.refId, message, status }));
  return { data: [], errors, error: errors[0] ?? { message, status }, state: LoadingState.Error };
}

/** Several partial answers (the /frames one, kernel view documents) as one. */
export function mergeResponses(parts: DataQueryResponse[]): DataQueryResponse {
  const data = parts.flatMap((r) => r.data ?? []);
  const errors = parts.flatMap((r) => r.errors ?? (r.error ? [r.error] : []));
  const res: DataQueryResponse = { data, state: errors.length ? LoadingState.Error : LoadingState.Done };
  if (errors.length) {
    res.errors = errors;
    res.error = errors[0];
  }
  return res;
}
