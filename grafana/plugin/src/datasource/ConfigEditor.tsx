import React from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { InlineField, Input, RadioButtonGroup, SecretInput, Stack } from '@grafana/ui';
import type { TspOptions, TspSecureOptions } from './types';

type Props = DataSourcePluginOptionsEditorProps<TspOptions, TspSecureOptions>;
type AuthKind = 'none' | 'basic' | 'bearer';

const AUTH: Array<{ label: string; value: AuthKind }> = [
  { label: 'None', value: 'none' },
  { label: 'Basic', value: 'basic' },
  { label: 'Bearer token', value: 'bearer' },
];

/**
 * The bridge's URL and its credentials. Access is always through Grafana's
 * proxy: the browser never sees the secrets, and the proxy adds basic
 * credentials, or the bearer token as the Authorization header.
 */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secure = options.secureJsonData ?? {};
  const kind: AuthKind = jsonData.authKind ?? (options.basicAuth ? 'basic' : 'none');

  const setKind = (k: AuthKind) => {
    const next = { ...options, access: 'proxy' as const, basicAuth: k === 'basic', jsonData: { ...jsonData, authKind: k } };
    if (k === 'bearer') {
      next.jsonData.httpHeaderName1 = 'Authorization';
    } else {
      delete next.jsonData.httpHeaderName1;
    }
    onOptionsChange(next);
  };

  return (
    <Stack direction="column" gap={1}>
      <InlineField label="URL" labelWidth={20} tooltip="where tsp-bridge listens, as Grafana's server reaches it" required>
        <Input
          data-testid="tsp-url"
          width={48}
          value={options.url}
          placeholder="http://localhost:8090"
          onChange={(e) => onOptionsChange({ ...options, access: 'proxy', url: e.currentTarget.value })}
        />
      </InlineField>
      <InlineField label="Authentication" labelWidth={20}>
        <RadioButtonGroup options={AUTH} value={kind} onChange={setKind} />
      </InlineField>
      {kind === 'basic' ? (
        <>
          <InlineField label="User" labelWidth={20}>
            <Input
              width={32}
              value={options.basicAuthUser ?? ''}
              onChange={(e) => onOptionsChange({ ...options, basicAuthUser: e.currentTarget.value })}
            />
          </InlineField>
          <InlineField label="Password" labelWidth={20}>
            <SecretInput
              width={32}
              isConfigured={!!secureJsonFields?.basicAuthPassword}
              value={secure.basicAuthPassword ?? ''}
              onChange={(e) =>
                onOptionsChange({ ...options, secureJsonData: { ...secure, basicAuthPassword: e.currentTarget.value } })
              }
              onReset={() =>
                onOptionsChange({
                  ...options,
                  secureJsonFields: { ...secureJsonFields, basicAuthPassword: false },
                  secureJsonData: { ...secure, basicAuthPassword: '' },
                })
              }
            />
          </InlineField>
        </>
      ) : null}
      {kind === 'bearer' ? (
        <InlineField label="Token" labelWidth={20} tooltip="sent as Authorization: Bearer TOKEN (tsp-bridge --auth-token)">
          <SecretInput
            width={48}
            isConfigured={!!secureJsonFields?.httpHeaderValue1}
            value={(secure.httpHeaderValue1 ?? '').replace(/^Bearer /, '')}
            onChange={(e) =>
              onOptionsChange({
                ...options,
                secureJsonData: { ...secure, httpHeaderValue1: 'Bearer ' + e.currentTarget.value },
              })
            }
            onReset={() =>
              onOptionsChange({
                ...options,
                secureJsonFields: { ...secureJsonFields, httpHeaderValue1: false },
                secureJsonData: { ...secure, httpHeaderValue1: '' },
              })
            }
          />
        </InlineField>
      ) : null}
    </Stack>
  );
}
