import { DataSourcePlugin, type DataSourceInstanceSettings } from '@grafana/data';
import { getBackendSrv, getTemplateSrv } from '@grafana/runtime';
import { ConfigEditor } from './ConfigEditor';
import { TspBridgeDataSource, type FetchOptions, type FetchResult } from './datasource';
import { QueryEditor } from './QueryEditor';
import type { TspOptions, TspQuery } from './types';

/** The datasource bound to Grafana's own HTTP client and TemplateSrv. */
class GrafanaTspBridgeDataSource extends TspBridgeDataSource {
  constructor(settings: DataSourceInstanceSettings<TspOptions>) {
    super(settings, {
      fetch: <T,>(o: FetchOptions) => getBackendSrv().fetch<T>(o) as unknown as import('rxjs').Observable<FetchResult<T>>,
      templates: getTemplateSrv(),
    });
  }
}

export const plugin = new DataSourcePlugin<TspBridgeDataSource, TspQuery, TspOptions>(GrafanaTspBridgeDataSource)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
