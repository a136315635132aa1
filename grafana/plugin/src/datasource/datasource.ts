import {
  type AnnotationSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceInstanceSettings,
  type MetricFindValue,
  type ScopedVars,
} from '@grafana/data';
import { catchError, forkJoin, lastValueFrom, map, type Observable, of } from 'rxjs';
import { buildFilters, buildTarget, buildTargets, isEmptyQuery } from './bridge';
import { interpolateDiscovery, exactPart, posixEscape, type TemplateSrvLike } from './interpolate';
import { errorMessage, failureResponse, mergeResponses, toResponse } from './response';
import { type TimelineDoc, timelineFrames } from './timeline';
import type { BridgeFramesAnswer, BridgeRequest, BridgeTarget, TspOptions, TspQuery } from './types';
import { DEFAULT_QUERY } from './types';
import { OUTPUT_TYPES, type OutputType } from './views';

export interface FetchOptions {
  url: string;
  method: 'GET' | 'POST';
  data?: unknown;
  requestId?: string;
  showErrorAlert?: boolean;
  showSuccessAlert?: boolean;
}

export interface FetchResult<T> {
  data: T;
  status: number;
}

/**
 * What the datasource needs of Grafana's runtime: its HTTP client (through
 * the datasource proxy, which adds the credentials) and its TemplateSrv.
 * module.ts passes Grafana's; tests pass their own.
 */
export interface Services {
  fetch<T>(o: FetchOptions): Observable<FetchResult<T>>;
  templates: TemplateSrvLike;
}

export interface OutputInfo {
  name: string;
  type?: OutputType;
}

/** The bridge's discovery answer (POST /variable). */
type VariableAnswer = Array<{ __text: string; __value: string }>;

export class TspBridgeDataSource extends DataSourceApi<TspQuery, TspOptions> {
  readonly url: string;
  annotations: AnnotationSupport<TspQuery>;

  constructor(
    instanceSettings: DataSourceInstanceSettings<TspOptions>,
    private readonly services: Services
  ) {
    super(instanceSettings);
    this.url = (instanceSettings.url ?? '').replace(/\/+$/, '');
    // Annotation queries use the query editor; the view defaults to markers.
    this.annotations = {
      prepareQuery: (anno) => {
        const q = anno.target as TspQuery | undefined;
        if (!q) {
          return undefined;
        }
        return { ...q, refId: q.refId || 'Anno', view: q.mode === 'code' ? q.view : q.view || 'annotations' };
      },
    };
  }

  getDefaultQuery(): Partial<TspQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(q: TspQuery): boolean {
    return !q.hide;
  }

  query(request: DataQueryRequest<TspQuery>): Observable<DataQueryResponse> {
    const ts = this.services.templates;
    const vars: ScopedVars = request.scopedVars ?? {};
    const isKernel = (q: TspQuery) => q.mode !== 'code' && q.view === 'kernel';
    const kernel = request.targets.filter((q) => !q.hide && !isEmptyQuery(q) && isKernel(q));
    const parts: Array<Observable<DataQueryResponse>> = kernel.map((q) =>
      this.timeline(buildTarget(q, ts, vars), request)
    );
    const rest = request.targets.filter((q) => !isKernel(q));
    if (rest.length || !parts.length) {
      parts.unshift(this.frames({ ...request, targets: rest }, ts, vars));
    }
    return parts.length === 1 ? parts[0] : forkJoin(parts).pipe(map(mergeResponses));
  }

  /**
   * A kernel view query: the timeline document (GET /timeline) of one
   * experiment's output, as the frames the Kernel view panel reads.
   */
  private timeline(t: BridgeTarget, request: DataQueryRequest<TspQuery>): Observable<DataQueryResponse> {
    const p = t.payload ?? {};
    const fail = (message: string) => of(failureResponse({ message }, [t]));
    if (!p.experiment || p.experiment === '*' || p.experiment.startsWith('~') || !p.output || p.output === '*' || p.output.startsWith('~')) {
      return fail(`query ${t.refId}: the kernel view shows one experiment's output: choose one experiment and one output`);
    }
    const args = new URLSearchParams({
      experiment: p.experiment.replace(/\\(.)/g, '$1'),
      output: p.output.replace(/\\(.)/g, '$1'),
      from: String(request.range.from.valueOf()),
      to: String(request.range.to.valueOf()),
      width: String(Math.min(Math.max(request.maxDataPoints && request.maxDataPoints > 0 ? request.maxDataPoints : 1000, 1), 65536)),
    });
    const entries = typeof p.entries === 'string' ? (p.entries === '*' ? [] : [p.entries]) : (p.entries ?? []);
    if (entries.length) {
      args.set('row_re', '^(' + entries.map(posixEscape).join('|') + ')$');
    }
    if (p.tid) {
      args.set('tid', String(p.tid));
    }
    return this.services
      .fetch<TimelineDoc>({ url: `${this.url}/timeline?${args.toString()}`, method: 'GET', requestId: request.requestId + t.refId, showErrorAlert: false })
      .pipe(
        map((res) => ({ data: timelineFrames(res.data, t.refId) })),
        catchError((err) => of(failureResponse(err, [t])))
      );
  }

  private frames(request: DataQueryRequest<TspQuery>, ts: TemplateSrvLike, vars: ScopedVars): Observable<DataQueryResponse> {
    const targets = buildTargets(request.targets, ts, vars);

    if (targets.length === 0) {
      return of({ data: [] });
    }
    const body: BridgeRequest = {
      range: { from: request.range.from.toISOString(), to: request.range.to.toISOString() },
      maxDataPoints: request.maxDataPoints && request.maxDataPoints > 0 ? request.maxDataPoints : 400,
      intervalMs: request.intervalMs,
      targets,
    };
    const filters = buildFilters(request.filters, ts, vars);
    if (filters) {
      body.adhocFilters = filters;
    }
    return this.services
      .fetch<BridgeFramesAnswer>({
        url: this.url + '/frames',
        method: 'POST',
        data: body,
        requestId: request.requestId,
        showErrorAlert: false,
      })
      .pipe(
        map((res) => toResponse(res.data, targets)),
        catchError((err) => of(failureResponse(err, targets)))
      );
  }

  /** Discovery: `experiments()`, `outputs(EXP[, TYPE])`, `entries(EXP/OUTPUT)`, `markers(EXP)`. */
  async metricFindQuery(query: unknown, options?: { scopedVars?: ScopedVars }): Promise<MetricFindValue[]> {
    const q = typeof query === 'string' ? query : ((query as { query?: string })?.query ?? '');
    const target = interpolateDiscovery(this.services.templates, q, options?.scopedVars);
    const answer = await this.post<VariableAnswer>('/variable', { payload: { target } });
    return (answer ?? []).map((v) => ({ text: v.__text, value: v.__value }));
  }

  async getTagKeys(): Promise<MetricFindValue[]> {
    const answer = await this.post<Array<{ text: string }>>('/tag-keys', {});
    return answer.map((k) => ({ text: k.text }));
  }

  async getTagValues(options: { key: string }): Promise<MetricFindValue[]> {
    const answer = await this.post<Array<{ text: string }>>('/tag-values', { key: options.key });
    return answer.map((v) => ({ text: v.text }));
  }

  async listExperiments(): Promise<string[]> {
    return (await this.metricFindQuery('experiments()')).map((v) => String(v.value));
  }

  /** The outputs of one experiment with their types (one discovery call per type). */
  async listOutputs(experiment: string): Promise<OutputInfo[]> {
    if (!experiment) {
      return [];
    }
    const exp = this.callArg(experiment);
    const all = await this.metricFindQuery(`outputs(${exp})`);
    const byType = await Promise.all(
      OUTPUT_TYPES.map((t) => this.metricFindQuery(`outputs(${exp}, ${t})`).catch(() => []))
    );
    return all.map((o) => {
      const name = String(o.value);
      const i = byType.findIndex((list) => list.some((v) => v.value === name));
      return { name, type: i >= 0 ? OUTPUT_TYPES[i] : undefined };
    });
  }

  async listEntries(experiment: string, output: string): Promise<string[]> {
    if (!experiment || !output) {
      return [];
    }
    const found = await this.metricFindQuery(`entries(${this.callArg(experiment)}/${this.callArg(output)})`);
    return found.map((v) => String(v.value));
  }

  async listMarkers(experiment: string): Promise<string[]> {
    if (!experiment) {
      return [];
    }
    return (await this.metricFindQuery(`markers(${this.callArg(experiment)})`)).map((v) => String(v.value));
  }

  /** The Test button: the bridge answers GET /, and lists what the trace server has. */
  async testDatasource(): Promise<{ status: string; message: string }> {
    try {
      const root = await lastValueFrom(
        this.services.fetch<{ bridge?: { version?: string }; upstream?: string }>({
          url: this.url + '/',
          method: 'GET',
          showErrorAlert: false,
        })
      );
      const version = root.data?.bridge?.version ?? '?';
      if (root.data?.upstream === undefined) {
        return { status: 'error', message: `${this.url || 'the URL'} answered, but not as tsp-bridge does` };
      }
      const exps = await this.listExperiments();
      return {
        status: 'success',
        message: `tsp-bridge ${version} is up; the trace server at ${root.data.upstream} lists ${exps.length} experiment${exps.length === 1 ? '' : 's'}`,
      };
    } catch (err) {
      return { status: 'error', message: 'tsp-bridge: ' + errorMessage(err) };
    }
  }

  /** A name picked in the editor, as a literal discovery argument; `$var` is left to interpolate. */
  private callArg(name: string): string {
    return name.includes('$') ? name : exactPart(name, true).replace(/[,()]/g, '\\$&');
  }

  private async post<T>(path: string, data: unknown): Promise<T> {
    const res = await lastValueFrom(
      this.services.fetch<T>({ url: this.url + path, method: 'POST', data, showErrorAlert: false })
    );
    return res.data;
  }
}
