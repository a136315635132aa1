// Grafana's TemplateSrv.replace for the tests: the variable syntaxes
// ($v, ${v}, ${v:fmt}, [[v]], [[v:fmt]], ${v.field} is not needed here) with
// the formats of Grafana's own registry (@grafana/scenes' formatRegistry).
// As in Grafana: a format named in the text wins over the one passed, and
// without either an array is formatted as a glob.
import type { ScopedVars } from '@grafana/data';
import { formatRegistry } from '../node_modules/@grafana/scenes/dist/esm/variables/interpolation/formatRegistry.js';
import type { FormatFn, TemplateSrvLike } from '../src/datasource/interpolate';

export interface TestVariable {
  name: string;
  /** The selected values. */
  current: string[];
  /** Every option, for "All" without a custom value. */
  options?: string[];
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
  /** "All" is selected. */
  all?: boolean;
}

const VARIABLE = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g;

interface RegistryFormat {
  formatter(value: unknown, args: string[], variable: unknown): string;
}

function registryFormat(id: string): RegistryFormat {
  const f = (formatRegistry as unknown as { getIfExists(id: string): RegistryFormat | undefined }).getIfExists(id);
  if (!f) {
    throw new Error('no such Grafana variable format: ' + id);
  }
  return f;
}

export class TestTemplateSrv implements TemplateSrvLike {
  readonly vars = new Map<string, TestVariable>();
  /** Every (text, format kind) replace() was called with. */
  readonly calls: Array<{ text: string; format: string }> = [];

  constructor(vars: TestVariable[] = []) {
    for (const v of vars) {
      this.vars.set(v.name, v);
    }
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: string | FormatFn): string {
    if (!target) {
      return target ?? '';
    }
    this.calls.push({ text: target, format: typeof format === 'function' ? 'function' : format ?? '' });
    return target.replace(VARIABLE, (match, n1, n2, f2, n3, f3) => {
      const name = n1 ?? n2 ?? n3;
      const fmt = f2 ?? f3;
      const scoped = scopedVars?.[name];
      const v = this.vars.get(name);
      let value: unknown;
      let variable: unknown;
      if (scoped) {
        value = scoped.value;
        variable = { name, state: { name } };
      } else if (v) {
        variable = { name, allValue: v.allValue, state: { name, allValue: v.allValue } };
        if (v.all) {
          value = v.allValue ?? v.options ?? v.current;
        } else {
          value = v.multi && v.current.length !== 1 ? v.current : v.current[0];
        }
      } else {
        return match;
      }
      if (fmt) {
        return registryFormat(fmt).formatter(value, [], variable);
      }
      if (typeof format === 'function') {
        return format(value, variable);
      }
      if (typeof format === 'string' && format) {
        return registryFormat(format).formatter(value, [], variable);
      }
      return Array.isArray(value) ? registryFormat('glob').formatter(value, [], variable) : String(value);
    });
  }
}

export const FORMAT_IDS: string[] = (formatRegistry as unknown as { list(): Array<{ id: string }> })
  .list()
  .map((f) => f.id);
