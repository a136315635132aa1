import type { ScopedVars } from '@grafana/data';

/**
 * The part of Grafana's TemplateSrv the datasource uses. A format function
 * gets the variable's value (an array when several are selected) and the
 * variable, and returns the text that replaces it; an explicit `${v:fmt}` in
 * the text wins over it, as in Grafana.
 */
export type FormatFn = (value: unknown, variable?: unknown) => string;

export interface TemplateSrvLike {
  replace(target?: string, scopedVars?: ScopedVars, format?: string | FormatFn): string;
}

/** Splits the several values of one variable inside an entries element. */
const LIST_SEP = '\u001f';

/** POSIX extended regex metacharacters, escaped for the bridge's `~` patterns. */
export function posixEscape(s: string): string {
  return s.replace(/[\\.[\]()*+?{}|^$]/g, '\\$&');
}

/**
 * One exact name as a bridge pattern part: `*` would make it a glob and a
 * leading `~` a regex (docs/grafana-api.md "Targets"); inTarget also escapes
 * the target syntax's separators.
 */
export function exactPart(name: string, inTarget = false): string {
  const re = inTarget ? /[\\*/?&]/g : /[\\*]/g;
  const s = name.replace(re, '\\$&');
  return s.startsWith('~') || (inTarget && s.startsWith('#')) ? '\\' + s : s;
}

function isAllValue(value: unknown, variable: unknown): boolean {
  const v = variable as { allValue?: string | null } | undefined;
  return !!v && typeof v.allValue === 'string' && v.allValue !== '' && value === v.allValue;
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [String(value ?? '')];
}

/**
 * Values as one pattern part: one value is an exact name, several become an
 * anchored regex over the exact names. A variable's custom "All" value (say
 * `*`) is passed as written: it is a pattern by design.
 */
export function patternFormat(inTarget: boolean): FormatFn {
  return (value, variable) => {
    if (isAllValue(value, variable)) {
      return String(value);
    }
    const list = asList(value);
    if (list.length === 1) {
      return exactPart(list[0], inTarget);
    }
    return '~^(' + list.map(posixEscape).join('|') + ')$';
  };
}

/** Values kept apart, to be split into separate exact entry names. */
const listFormat: FormatFn = (value) => asList(value).join(LIST_SEP);

/** `$v`, `${v}`, `${v:fmt}`, `[[v]]`, `[[v:fmt]]` alone: Grafana's variable syntaxes. */
const LONE_VARIABLE = /^\s*(?:\$(\w+)|\$\{(\w+)(?::([^}]*))?\}|\[\[(\w+)(?::([^\]]*))?\]\])\s*$/;

/**
 * A field that is one variable names values, not text: whatever format it
 * was written with (`${v:regex}`, `${v:csv}`, ...), its values are taken as
 * they are. Only `text` (display texts instead of values) is kept.
 */
export function valuesOf(text: string): string {
  const m = LONE_VARIABLE.exec(text);
  if (!m) {
    return text;
  }
  const name = m[1] ?? m[2] ?? m[4];
  const fmt = m[3] ?? m[5];
  return fmt === 'text' ? text : '${' + name + '}';
}

/** A single field (experiment, output, markers): exact unless variables made it a pattern. */
export function interpolateField(ts: TemplateSrvLike, text: string | undefined, vars: ScopedVars): string {
  if (!text) {
    return '';
  }
  return ts.replace(valuesOf(text), vars, patternFormat(false)).trim();
}

/**
 * Entries of the builder: every element interpolated, multi-value variables
 * expanded into one name each, empties and duplicates dropped. ['*'] means
 * every entry with data and goes out as the pattern `*`.
 */
export function interpolateEntries(
  ts: TemplateSrvLike,
  entries: string[] | undefined,
  vars: ScopedVars
): string | string[] | undefined {
  if (!entries || entries.length === 0) {
    return undefined;
  }
  const out: string[] = [];
  for (const e of entries) {
    for (const name of ts.replace(valuesOf(e), vars, listFormat).split(LIST_SEP)) {
      if (name !== '' && !out.includes(name)) {
        out.push(name);
      }
    }
  }
  if (out.length === 0) {
    return undefined;
  }
  return out.length === 1 && out[0] === '*' ? '*' : out;
}

/** Code mode: the target text, a multi-value variable becoming a regex part. */
export function interpolateTarget(ts: TemplateSrvLike, target: string | undefined, vars: ScopedVars): string {
  return target ? ts.replace(target, vars, patternFormat(true)).trim() : '';
}

/**
 * A discovery query (`outputs($experiment)`): arguments as patterns. One
 * name is escaped for the call syntax too; a regex over several keeps its
 * parentheses, which the bridge balances.
 */
export function interpolateDiscovery(ts: TemplateSrvLike, q: string, vars?: ScopedVars): string {
  const pattern = patternFormat(true);
  return ts.replace(q, vars ?? {}, (value, variable) => {
    const one = !Array.isArray(value) || value.length === 1;
    const s = pattern(value, variable);
    return one && !isAllValue(value, variable) ? s.replace(/[,()]/g, '\\$&') : s.replace(/,/g, '\\,');
  });
}
