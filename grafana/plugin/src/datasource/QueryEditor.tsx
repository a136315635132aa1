import React, { useEffect, useMemo, useState } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, type ComboboxOption, InlineField, InlineFieldRow, Input, MultiCombobox, RadioButtonGroup, Stack } from '@grafana/ui';
import type { OutputInfo, TspBridgeDataSource } from './datasource';
import { errorMessage } from './response';
import type { QueryMode, TspOptions, TspQuery } from './types';
import { viewByName, viewsFor } from './views';

type Props = QueryEditorProps<TspBridgeDataSource, TspQuery, TspOptions>;

const MODES: Array<{ label: string; value: QueryMode }> = [
  { label: 'Builder', value: 'builder' },
  { label: 'Code', value: 'code' },
];

/** Every entry with data: the bridge's `*`. */
const ALL_ENTRIES = '*';

/** Loads a list when its inputs change; keeps the last error to show it. */
function useList<T>(load: () => Promise<T[]>, deps: unknown[]): { items: T[]; loading: boolean; error?: string } {
  const [state, setState] = useState<{ items: T[]; loading: boolean; error?: string }>({ items: [], loading: true });
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (items) => live && setState({ items, loading: false }),
      (err) => live && setState({ items: [], loading: false, error: errorMessage(err) })
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return state;
}

function opts(names: string[]): ComboboxOption[] {
  return names.map((n) => ({ label: n, value: n }));
}

/** Keeps a typed or variable value selectable even when the bridge does not list it. */
function withCurrent(list: ComboboxOption[], value: string | undefined): ComboboxOption[] {
  return value && !list.some((o) => o.value === value) ? [{ label: value, value }, ...list] : list;
}

export function QueryEditor({ datasource, query, onChange, onRunQuery }: Props) {
  const mode: QueryMode = query.mode ?? 'builder';
  const experiment = query.experiment ?? '';
  const output = query.output ?? '';

  const experiments = useList(() => datasource.listExperiments(), [datasource]);
  const outputs = useList<OutputInfo>(() => datasource.listOutputs(experiment), [datasource, experiment]);
  const entries = useList(() => datasource.listEntries(experiment, output), [datasource, experiment, output]);
  const markers = useList(() => datasource.listMarkers(experiment), [datasource, experiment]);

  const outputType = outputs.items.find((o) => o.name === output)?.type;
  const views = useMemo(() => viewsFor(outputType), [outputType]);
  const viewOptions: ComboboxOption[] = [
    { label: 'Default', value: '', description: 'the output type decides' },
    ...views.map((v) => ({ label: v.label, value: v.name, description: v.description })),
  ];
  const error = experiments.error ?? outputs.error ?? entries.error;

  const change = (patch: Partial<TspQuery>, run = true) => {
    onChange({ ...query, ...patch });
    if (run) {
      onRunQuery();
    }
  };

  return (
    <Stack direction="column" gap={0.5}>
      <InlineFieldRow>
        <InlineField label="Mode" labelWidth={14}>
          <RadioButtonGroup options={MODES} value={mode} onChange={(m) => change({ mode: m }, false)} />
        </InlineField>
      </InlineFieldRow>
      {mode === 'code' ? (
        <InlineFieldRow>
          <InlineField
            label="Target"
            labelWidth={14}
            grow
            tooltip="experiment/output[/entries][?view=...&limit=...]: names, globs (*), ~regex, #id; see the bridge's docs"
          >
            <Input
              data-testid="tsp-target"
              value={query.target ?? ''}
              placeholder="kernel/CPU Usage/~^(bash|sshd)$?view=series"
              onChange={(e) => change({ target: e.currentTarget.value }, false)}
              onBlur={onRunQuery}
            />
          </InlineField>
        </InlineFieldRow>
      ) : (
        <>
          <InlineFieldRow>
            <InlineField label="Experiment" labelWidth={14} invalid={!!experiments.error} error={experiments.error}>
              <Combobox
                data-testid="tsp-experiment"
                width={32}
                loading={experiments.loading}
                createCustomValue
                placeholder="Choose an experiment"
                options={withCurrent(opts(experiments.items), experiment)}
                value={experiment || null}
                onChange={(o) => change({ experiment: o.value, output: '', entries: [] }, false)}
              />
            </InlineField>
            <InlineField label="Output" labelWidth={10} invalid={!!outputs.error} error={outputs.error}>
              <Combobox
                data-testid="tsp-output"
                width={32}
                loading={outputs.loading && !!experiment}
                createCustomValue
                placeholder={experiment ? 'Choose an output' : 'experiment first'}
                options={withCurrent(
                  outputs.items.map((o) => ({ label: o.name, value: o.name, description: o.type })),
                  output
                )}
                value={output || null}
                onChange={(o) => {
                  const t = outputs.items.find((x) => x.name === o.value)?.type;
                  const keep = query.view && viewsFor(t).some((v) => v.name === query.view);
                  change({ output: o.value, entries: [], view: keep ? query.view : '' });
                }}
              />
            </InlineField>
          </InlineFieldRow>
          <InlineFieldRow>
            <InlineField label="View" labelWidth={14} tooltip={viewByName(query.view)?.description}>
              <Combobox
                data-testid="tsp-view"
                width={32}
                options={viewOptions}
                value={query.view ?? ''}
                onChange={(o) => change({ view: o.value })}
              />
            </InlineField>
            <InlineField label="Limit" labelWidth={10} tooltip="rows at most (1 to 1000000; the bridge's default is 10000)">
              <Input
                data-testid="tsp-limit"
                type="number"
                width={16}
                min={1}
                value={query.limit ?? ''}
                placeholder="10000"
                onChange={(e) => {
                  const v = e.currentTarget.value;
                  change({ limit: v === '' ? undefined : Number(v) }, false);
                }}
                onBlur={onRunQuery}
              />
            </InlineField>
          </InlineFieldRow>
          <InlineFieldRow>
            <InlineField
              label="Entries"
              labelWidth={14}
              grow
              invalid={!!entries.error}
              error={entries.error}
              tooltip="threads, CPUs, series or rows; none = the output's default; * = every entry with data; $variables allowed"
            >
              <MultiCombobox
                data-testid="tsp-entries"
                width="auto"
                minWidth={32}
                createCustomValue
                loading={entries.loading && !!output}
                placeholder={output ? 'Default entries' : 'output first'}
                options={[
                  { label: 'All with data (*)', value: ALL_ENTRIES },
                  ...opts(entries.items),
                  ...(query.entries ?? []).filter((e) => e !== ALL_ENTRIES && !entries.items.includes(e)).map((e) => ({ label: e, value: e })),
                ]}
                value={query.entries ?? []}
                onChange={(list) => change({ entries: list.map((o) => String(o.value)) })}
              />
            </InlineField>
          </InlineFieldRow>
          {outputType === 'TIME_GRAPH' || outputType === 'TREE_GENERIC_XY' || query.tid || query.bins ? (
            <InlineFieldRow>
              {outputType === 'TIME_GRAPH' || query.tid ? (
                <InlineField label="Thread (tid)" labelWidth={14} tooltip="Critical Path: the thread whose path to show (a TID of Thread Status; $variables allowed)">
                  <Input
                    data-testid="tsp-tid"
                    width={16}
                    value={query.tid ?? ''}
                    placeholder="none"
                    onChange={(e) => change({ tid: e.currentTarget.value || undefined }, false)}
                    onBlur={onRunQuery}
                  />
                </InlineField>
              ) : null}
              {outputType === 'TREE_GENERIC_XY' || query.bins ? (
                <InlineField label="Bins" labelWidth={10} tooltip="bars of a density (1 to 65536; the bridge's default is 50)">
                  <Input
                    data-testid="tsp-bins"
                    type="number"
                    width={16}
                    min={1}
                    value={query.bins ?? ''}
                    placeholder="50"
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      change({ bins: v === '' ? undefined : Number(v) }, false);
                    }}
                    onBlur={onRunQuery}
                  />
                </InlineField>
              ) : null}
            </InlineFieldRow>
          ) : null}
          {query.view === 'annotations' || query.markers ? (
            <InlineFieldRow>
              <InlineField label="Marker set" labelWidth={14}>
                <Combobox
                  data-testid="tsp-markers"
                  width={32}
                  isClearable
                  createCustomValue
                  options={withCurrent(opts(markers.items), query.markers)}
                  value={query.markers || null}
                  onChange={(o) => change({ markers: o ? o.value : undefined })}
                />
              </InlineField>
              <InlineField label="Category" labelWidth={10}>
                <Input
                  width={24}
                  value={query.category ?? ''}
                  placeholder="all"
                  onChange={(e) => change({ category: e.currentTarget.value || undefined }, false)}
                  onBlur={onRunQuery}
                />
              </InlineField>
            </InlineFieldRow>
          ) : null}
        </>
      )}
      {error ? <div data-testid="tsp-editor-error" style={{ color: 'var(--error-text-color, #f55)' }}>{error}</div> : null}
    </Stack>
  );
}
