#!/usr/bin/env node
// Checks tsp-bridge's Grafana answers the way Grafana reads them: every
// element of a /query answer goes through @grafana/data's toDataFrame (what
// simpod-json-datasource does with `response.data.map(toDataFrame)`, and what
// Grafana's query runner does with a legacy SimpleJSON result), then through
// the panel pipeline's guessFieldTypes (getProcessedDataFrames), and the
// resulting frames are compared with what a case file expects.
//
//   node check-frames.mjs --base http://127.0.0.1:PORT --case FILE.json [--case ...]
//                         [--timeout MS]          (per request, default 30000)
//   node check-frames.mjs --self-test             (canned answers, no network)
//
// --case takes a file holding one case object or an array of them, or a
// directory (its *.json files, sorted). A case:
//
//   {"name": "...",
//    "request": {"method": "POST", "path": "/query", "body": {...} | "raw text", "headers": {...}},
//    "expect": {
//      "status": 200,                     (default 200)
//      "error": "substring",              (4xx/5xx: of the {"error": "..."} message)
//      "body": {...},                     (partial deep match of the raw JSON answer)
//      "frames": [FRAME, ...],            (exactly one FRAME spec per frame, in order)
//      "minFrames": N, "eachFrame": FRAME,(at least N frames, each matching FRAME)
//      "timesWithin": [fromMs, toMs],     (every time field / annotation time)
//      "annotations": {"length", "minLength", "contains": [title or text substrings],
//                      "annotationName": "..."},
//      "list": {"length", "minLength", "contains": [string | partial object],
//               "itemKeys": ["__text", "__value"]}}}
//   FRAME = {"name", "refId", "length", "minLength", "maxLength", "exactFields": bool,
//            "fields": [FIELD, ...], "notices": "substring" | [...], "noNotices": bool,
//            "meta": {partial match}, "mappingsColor": "field" | ["field", ...] | "*"}
//   FIELD = {"name", "type": "time"|"number"|"string"|"boolean"|..., "values": [exact prefix],
//            "contains": [values], "allTimesMs": bool, "nullable": bool, "unit": "..."}
//
// Unknown keys are errors (a typo must not silently check nothing). Values
// must fit their field's type in every frame (numbers in number and time
// fields, strings in string fields); null is accepted only in a FIELD marked
// "nullable": true (fields no FIELD names may hold nulls).
//
// One line per check, "ok - ..." / "not ok - ...: reason", then
// "N passed, M failed"; the exit status is 1 when anything failed, 2 on a
// usage error.

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// ---- @grafana/data ----
//
// Its ESM entry does not load under Node 20 (a named import from the CJS
// moment-timezone), so the CJS build is required. Versions before 13 read
// `window` at load time; 13 must NOT see a `window` (react-use's nano-css then
// wants a `document`), so the shim is only set for older majors.

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const GD_VERSION = JSON.parse(fs.readFileSync(path.join(here, 'node_modules/@grafana/data/package.json'), 'utf8')).version;
if (Number(GD_VERSION.split('.')[0]) < 13) {
  globalThis.window ??= globalThis;
  globalThis.navigator ??= { userAgent: 'node' };
}
const { toDataFrame, getProcessedDataFrames, FieldType } = require('@grafana/data');
const KNOWN_TYPES = new Set(Object.values(FieldType));

// ---- arguments ----

const args = { base: null, cases: [], selfTest: false, timeout: 30000 };
function usage(msg) {
  if (msg) console.error(msg);
  console.error('usage: check-frames.mjs --base URL --case FILE|DIR [--case ...] [--timeout MS] | --self-test');
  process.exit(2);
}
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const val = () => (i + 1 < process.argv.length ? process.argv[++i] : usage(`${a} needs a value`));
  if (a === '--base') args.base = val().replace(/\/+$/, '');
  else if (a === '--case') args.cases.push(val());
  else if (a === '--timeout') args.timeout = Number(val());
  else if (a === '--self-test') args.selfTest = true;
  else if (a === '-h' || a === '--help') usage();
  else usage(`unknown argument ${a}`);
}
if (!args.selfTest && (!args.base || args.cases.length === 0)) usage();
if (!(args.timeout > 0)) usage('--timeout must be a positive number of ms');

// ---- small helpers ----

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const show = (v, n = 120) => {
  let s;
  try {
    s = JSON.stringify(v);
  } catch {
    s = String(v);
  }
  if (s === undefined) s = String(v);
  return s.length > n ? `${s.slice(0, n)}...` : s;
};
const asList = (v) => (Array.isArray(v) ? v : [v]);

function deepEqual(a, b) {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a), kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

// Every key of `want` is in `got` with a matching value; arrays match
// element-wise as a prefix; anything else must be equal.
function partialMatch(got, want) {
  if (isObj(want)) return isObj(got) && Object.keys(want).every((k) => partialMatch(got[k], want[k]));
  if (Array.isArray(want)) return Array.isArray(got) && got.length >= want.length && want.every((w, i) => partialMatch(got[i], w));
  return deepEqual(got, want);
}

function unknownKeys(obj, allowed, where) {
  if (!isObj(obj)) return [`${where} is not an object: ${show(obj)}`];
  return Object.keys(obj).filter((k) => !allowed.includes(k)).map((k) => `unknown key "${k}" in ${where}`);
}

const CASE_KEYS = ['name', 'request', 'expect'];
const REQUEST_KEYS = ['method', 'path', 'body', 'headers'];
const EXPECT_KEYS = ['status', 'error', 'body', 'frames', 'minFrames', 'eachFrame', 'timesWithin', 'annotations', 'list'];
const FRAME_KEYS = ['name', 'refId', 'length', 'minLength', 'maxLength', 'exactFields', 'fields', 'notices', 'noNotices',
  'meta', 'mappingsColor'];
const FIELD_KEYS = ['name', 'type', 'values', 'contains', 'allTimesMs', 'nullable', 'unit'];
const ANNOTATION_KEYS = ['length', 'minLength', 'contains', 'annotationName'];
const LIST_KEYS = ['length', 'minLength', 'contains', 'itemKeys'];

// The case file's own mistakes, before anything is sent.
function validateCase(c) {
  const errs = unknownKeys(c, CASE_KEYS, 'the case');
  if (errs.length && !isObj(c)) return errs;
  if (typeof c.name !== 'string' || !c.name) errs.push('the case has no "name"');
  errs.push(...unknownKeys(c.request, REQUEST_KEYS, 'request'));
  if (isObj(c.request) && (typeof c.request.path !== 'string' || !c.request.path.startsWith('/')))
    errs.push('request.path must be a string starting with "/"');
  const e = c.expect ?? {};
  errs.push(...unknownKeys(e, EXPECT_KEYS, 'expect'));
  if (!isObj(e)) return errs;
  const frameSpec = (f, where) => {
    errs.push(...unknownKeys(f, FRAME_KEYS, where));
    if (isObj(f) && f.fields !== undefined) {
      if (!Array.isArray(f.fields)) errs.push(`${where}.fields is not an array`);
      else f.fields.forEach((fs_, i) => {
        errs.push(...unknownKeys(fs_, FIELD_KEYS, `${where}.fields[${i}]`));
        if (isObj(fs_) && typeof fs_.name !== 'string') errs.push(`${where}.fields[${i}] has no "name"`);
      });
    }
  };
  if (e.frames !== undefined) {
    if (!Array.isArray(e.frames)) errs.push('expect.frames is not an array');
    else e.frames.forEach((f, i) => frameSpec(f, `expect.frames[${i}]`));
  }
  if (e.eachFrame !== undefined) frameSpec(e.eachFrame, 'expect.eachFrame');
  if (e.annotations !== undefined) errs.push(...unknownKeys(e.annotations, ANNOTATION_KEYS, 'expect.annotations'));
  if (e.list !== undefined) errs.push(...unknownKeys(e.list, LIST_KEYS, 'expect.list'));
  if (e.timesWithin !== undefined && !(Array.isArray(e.timesWithin) && e.timesWithin.length === 2
      && e.timesWithin.every((t) => Number.isFinite(t)) && e.timesWithin[0] <= e.timesWithin[1]))
    errs.push('expect.timesWithin must be [fromMs, toMs] with fromMs <= toMs');
  return errs;
}

// ---- checks of converted frames ----

const describeFrame = (fr) => `[${fr.fields.map((f) => `${f.name}:${f.type}`).join(', ')}]`;
const isEpochMs = (v) => Number.isInteger(v) && v >= 1e12 && v <= 1e14;

// Does a value fit a field type (null/undefined excluded)?
function typeFits(type, v) {
  switch (type) {
    case FieldType.time:
    case FieldType.number:
      return typeof v === 'number' && Number.isFinite(v);
    case FieldType.string:
      return typeof v === 'string';
    case FieldType.boolean:
      return typeof v === 'boolean';
    default:
      return true;
  }
}

// Frame-independent sanity of every converted frame: known types, values
// arrays as long as the frame, values of the field's type, a refId that was asked for.
function wellFormed(frames, refIds) {
  const why = [];
  frames.forEach((fr, i) => {
    const label = `frame ${i}${fr.name ? ` "${fr.name}"` : ''}`;
    if (refIds.length && !refIds.includes(fr.refId))
      why.push(`${label}: refId ${show(fr.refId)} is none of the request's ${show(refIds)}`);
    for (const f of fr.fields) {
      if (!KNOWN_TYPES.has(f.type)) why.push(`${label}: field "${f.name}" has type ${show(f.type)}, not a Grafana FieldType`);
      if (!Array.isArray(f.values)) {
        why.push(`${label}: field "${f.name}" has no values array`);
        continue;
      }
      if (f.values.length !== fr.length) why.push(`${label}: field "${f.name}" has ${f.values.length} values, the frame ${fr.length}`);
      const bad = f.values.findIndex((v) => v != null && !typeFits(f.type, v));
      if (bad >= 0) why.push(`${label}: field "${f.name}" (${f.type}) holds ${show(f.values[bad])} at ${bad}`);
    }
    if (why.length) why.push(`${label} fields ${describeFrame(fr)}`);
  });
  return why;
}

function colouredMappings(field) {
  const maps = field?.config?.mappings;
  if (!Array.isArray(maps)) return [];
  const colours = [];
  for (const m of maps) {
    const o = m?.options;
    if (!isObj(o)) continue;
    if (m.type === 'value') for (const r of Object.values(o)) colours.push(r?.color);
    else colours.push(o.result?.color);
  }
  return colours.filter((c) => typeof c === 'string' && /^#[0-9a-fA-F]{6}$/.test(c));
}

function checkField(fr, spec) {
  const why = [];
  const f = fr.fields.find((x) => x.name === spec.name);
  if (!f) return [`no field "${spec.name}"`];
  if (spec.type !== undefined && f.type !== spec.type) why.push(`field "${f.name}" is ${f.type}, expected ${spec.type}`);
  const vals = Array.isArray(f.values) ? f.values : [];
  if (!spec.nullable) {
    const n = vals.findIndex((v) => v == null);
    if (n >= 0) why.push(`field "${f.name}" holds ${v2s(vals[n])} at ${n} (not "nullable")`);
  }
  if (spec.type !== undefined) {
    const bad = vals.findIndex((v) => v != null && !typeFits(spec.type, v));
    if (bad >= 0) why.push(`field "${f.name}" holds ${show(vals[bad])} at ${bad}, not a ${spec.type}`);
  }
  if (spec.values !== undefined) {
    const got = vals.slice(0, spec.values.length);
    if (!deepEqual(got, spec.values)) why.push(`field "${f.name}" starts ${show(got)}, expected ${show(spec.values)}`);
  }
  for (const want of spec.contains ?? [])
    if (!vals.some((v) => deepEqual(v, want))) why.push(`field "${f.name}" has no value ${show(want)}`);
  if (spec.allTimesMs) {
    const bad = vals.findIndex((v) => v != null && !isEpochMs(v));
    if (bad >= 0) why.push(`field "${f.name}": ${show(vals[bad])} at ${bad} is not an integer epoch ms (1e12..1e14)`);
  }
  if (spec.unit !== undefined && f.config?.unit !== spec.unit)
    why.push(`field "${f.name}" has unit ${show(f.config?.unit)}, expected ${show(spec.unit)}`);
  return why;
}
const v2s = (v) => (v === undefined ? 'undefined' : 'null');

function checkFrame(fr, spec) {
  const why = [];
  if (spec.name !== undefined && fr.name !== spec.name) why.push(`name ${show(fr.name)}, expected ${show(spec.name)}`);
  if (spec.refId !== undefined && fr.refId !== spec.refId) why.push(`refId ${show(fr.refId)}, expected ${show(spec.refId)}`);
  if (spec.length !== undefined && fr.length !== spec.length) why.push(`length ${fr.length}, expected ${spec.length}`);
  if (spec.minLength !== undefined && !(fr.length >= spec.minLength)) why.push(`length ${fr.length}, expected >= ${spec.minLength}`);
  if (spec.maxLength !== undefined && !(fr.length <= spec.maxLength)) why.push(`length ${fr.length}, expected <= ${spec.maxLength}`);
  let fieldTrouble = false;
  if (spec.exactFields) {
    const got = fr.fields.map((f) => f.name), want = (spec.fields ?? []).map((f) => f.name);
    if (!deepEqual(got, want)) {
      why.push(`fields ${show(got)}, expected exactly ${show(want)}`);
      fieldTrouble = true;
    }
  }
  for (const fs_ of spec.fields ?? []) {
    const w = checkField(fr, fs_);
    if (w.length) fieldTrouble = true;
    why.push(...w);
  }
  const texts = (fr.meta?.notices ?? []).map((n) => n?.text).filter((t) => typeof t === 'string');
  for (const want of spec.notices === undefined ? [] : asList(spec.notices))
    if (!texts.some((t) => t.includes(want))) why.push(`no notice containing ${show(want)} (notices: ${show(texts)})`);
  if (spec.noNotices && texts.length) why.push(`unexpected notices ${show(texts)}`);
  if (spec.meta !== undefined && !partialMatch(fr.meta, spec.meta)) why.push(`meta ${show(fr.meta)} does not match ${show(spec.meta)}`);
  if (spec.mappingsColor !== undefined) {
    const names = spec.mappingsColor === '*'
      ? fr.fields.filter((f) => f.type !== FieldType.time).map((f) => f.name)
      : asList(spec.mappingsColor);
    if (!names.length) why.push('no non-time field to carry colour mappings');
    for (const n of names) {
      const f = fr.fields.find((x) => x.name === n);
      if (!f) {
        why.push(`no field "${n}" for mappingsColor`);
        fieldTrouble = true;
      } else if (!colouredMappings(f).length) {
        why.push(`field "${n}" has no value mapping with a #rrggbb colour (config.mappings ${show(f.config?.mappings)})`);
      }
    }
  }
  if (fieldTrouble) why.push(`frame fields ${describeFrame(fr)}`);
  return why;
}

function timesOutside(frames, [from, to]) {
  const why = [];
  frames.forEach((fr, i) => {
    for (const f of fr.fields) {
      if (f.type !== FieldType.time) continue;
      const bad = (f.values ?? []).findIndex((v) => !(typeof v === 'number' && v >= from && v <= to));
      if (bad >= 0) why.push(`frame ${i} field "${f.name}": ${show(f.values[bad])} at ${bad} outside [${from}, ${to}]`);
    }
  });
  return why;
}

// ---- checks of the other answers ----

function checkAnnotations(body, spec, within) {
  if (!Array.isArray(body)) return [`the answer is not an array: ${show(body)}`];
  const why = [];
  if (spec.length !== undefined && body.length !== spec.length) why.push(`${body.length} annotations, expected ${spec.length}`);
  if (spec.minLength !== undefined && !(body.length >= spec.minLength)) why.push(`${body.length} annotations, expected >= ${spec.minLength}`);
  body.forEach((a, i) => {
    const w = [];
    if (!isObj(a)) w.push('not an object');
    else {
      for (const k of ['time', 'timeEnd']) {
        if (!isEpochMs(a[k])) w.push(`${k} ${show(a[k])} is not an integer epoch ms`);
        else if (within && !(a[k] >= within[0] && a[k] <= within[1])) w.push(`${k} ${a[k]} outside [${within[0]}, ${within[1]}]`);
      }
      if (isEpochMs(a.time) && isEpochMs(a.timeEnd) && a.timeEnd < a.time) w.push(`timeEnd ${a.timeEnd} < time ${a.time}`);
      for (const k of ['title', 'text']) if (typeof a[k] !== 'string') w.push(`${k} ${show(a[k])} is not a string`);
      if (a.tags !== undefined && !(Array.isArray(a.tags) && a.tags.every((t) => typeof t === 'string')))
        w.push(`tags ${show(a.tags)} is not an array of strings`);
      if (spec.annotationName !== undefined && a.annotation?.name !== spec.annotationName)
        w.push(`annotation.name ${show(a.annotation?.name)}, expected ${show(spec.annotationName)}`);
    }
    if (w.length) why.push(`item ${i} ${show(a, 160)}: ${w.join(', ')}`);
  });
  for (const want of spec.contains ?? [])
    if (!body.some((a) => isObj(a) && [a.title, a.text].some((t) => typeof t === 'string' && t.includes(want))))
      why.push(`no annotation whose title or text contains ${show(want)}`);
  return why;
}

const LABEL_KEYS = ['__text', '__value', 'text', 'value', 'label', 'key', 'name'];
function checkList(body, spec) {
  if (!Array.isArray(body)) return [`the answer is not an array: ${show(body)}`];
  const why = [];
  if (spec.length !== undefined && body.length !== spec.length) why.push(`${body.length} items, expected ${spec.length}`);
  if (spec.minLength !== undefined && !(body.length >= spec.minLength)) why.push(`${body.length} items, expected >= ${spec.minLength}`);
  const bad = body.findIndex((x) => typeof x !== 'string' && !isObj(x));
  if (bad >= 0) why.push(`item ${bad} ${show(body[bad])} is neither a string nor an object`);
  for (const k of spec.itemKeys ?? []) {
    const i = body.findIndex((x) => !isObj(x) || !(k in x));
    if (i >= 0) why.push(`item ${i} ${show(body[i])} has no "${k}"`);
  }
  for (const want of spec.contains ?? []) {
    const found = body.some((x) => (isObj(want)
      ? partialMatch(x, want)
      : x === want || (isObj(x) && LABEL_KEYS.some((k) => x[k] === want))));
    if (!found) why.push(`no item ${show(want)} in ${show(body, 300)}`);
  }
  return why;
}

// ---- one case ----
//
// `answer` is {status, contentType, text}: from fetch, or canned. Returns the
// checks as [{ok, name, why}].

function runCase(c, answer) {
  const results = [];
  const add = (what, why) => {
    results.push({ ok: why.length === 0, name: `${c.name ?? '(unnamed)'}: ${what}`, why: why.join('; ') });
    return why.length === 0;
  };
  const caseErrs = validateCase(c);
  if (caseErrs.length) {
    add('case file', caseErrs);
    return results;
  }
  const e = c.expect ?? {};
  const wantStatus = e.status ?? 200;

  let body, parseErr = null;
  try {
    body = JSON.parse(answer.text);
  } catch (err) {
    parseErr = err.message;
  }
  if (!add(`HTTP ${wantStatus}`, answer.status === wantStatus ? []
    : [`got HTTP ${answer.status}: ${answer.text.slice(0, 300)}`])) return results;
  const jsonWhy = [];
  if (!/^application\/json\b/i.test(answer.contentType ?? '')) jsonWhy.push(`Content-Type ${show(answer.contentType)}`);
  if (parseErr) jsonWhy.push(`not JSON (${parseErr}): ${show(answer.text, 200)}`);
  if (!add('JSON answer', jsonWhy)) return results;

  if (wantStatus >= 400) {
    const why = [];
    if (!isObj(body) || typeof body.error !== 'string') why.push(`not an {"error": "..."} object: ${show(body, 300)}`);
    else if (e.error !== undefined && !body.error.includes(e.error)) why.push(`error ${show(body.error)} does not contain ${show(e.error)}`);
    add(e.error !== undefined ? `error mentions ${show(e.error)}` : 'error body', why);
  }
  if (e.body !== undefined) add('body matches', partialMatch(body, e.body) ? [] : [`${show(body, 300)} does not match ${show(e.body, 300)}`]);

  const path_ = c.request.path.replace(/\?.*$/, '');
  const wantsFrames = e.frames !== undefined || e.eachFrame !== undefined || e.minFrames !== undefined
    || (path_ === '/query' && wantStatus < 400);
  if (wantsFrames) {
    let frames = null;
    const convWhy = [];
    if (!Array.isArray(body)) convWhy.push(`the answer is not an array: ${show(body, 300)}`);
    else {
      try {
        // The plugin's step, then the panel pipeline's (guessFieldTypes over toDataFrame).
        frames = getProcessedDataFrames(body.map((x, i) => {
          // toDataFrame console.warn()s what it cannot convert before it throws: the throw is reported.
          const warn = console.warn;
          console.warn = () => {};
          try {
            return toDataFrame(x);
          } catch (err) {
            throw new Error(`element ${i} ${show(x, 200)}: ${err.message}`);
          } finally {
            console.warn = warn;
          }
        }));
      } catch (err) {
        convWhy.push(`toDataFrame failed: ${err.message}`);
      }
    }
    if (add(`toDataFrame (@grafana/data ${GD_VERSION})`, convWhy)) {
      const refIds = (Array.isArray(c.request.body?.targets) ? c.request.body.targets : [])
        .map((t) => t?.refId).filter((r) => typeof r === 'string');
      add(`${frames.length} frame(s) well-formed`, wellFormed(frames, refIds));
      if (e.frames !== undefined) {
        if (add(`${e.frames.length} frame(s)`, frames.length === e.frames.length ? []
          : [`${frames.length} frames: ${frames.map((f) => `${show(f.name)} ${describeFrame(f)}`).join(' | ')}`]))
          e.frames.forEach((spec, i) => add(`frame ${i}${spec.name !== undefined ? ` "${spec.name}"` : ''}`, checkFrame(frames[i], spec)));
      }
      if (e.minFrames !== undefined) add(`at least ${e.minFrames} frame(s)`, frames.length >= e.minFrames ? [] : [`${frames.length} frames`]);
      if (e.eachFrame !== undefined)
        frames.forEach((fr, i) => add(`each frame: ${i}${fr.name ? ` "${fr.name}"` : ''}`, checkFrame(fr, e.eachFrame)));
      if (e.timesWithin !== undefined) add(`times within [${e.timesWithin.join(', ')}]`, timesOutside(frames, e.timesWithin));
    }
  }
  if (e.annotations !== undefined) add('annotations', checkAnnotations(body, e.annotations, e.timesWithin));
  if (e.list !== undefined) add('list', checkList(body, e.list));
  return results;
}

// ---- against a bridge ----

async function ask(c) {
  const r = c.request;
  const hasBody = r.body !== undefined;
  const headers = { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...(r.headers ?? {}) };
  const res = await fetch(args.base + r.path, {
    method: r.method ?? 'POST',
    headers,
    body: hasBody ? (typeof r.body === 'string' ? r.body : JSON.stringify(r.body)) : undefined,
    signal: AbortSignal.timeout(args.timeout),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

function loadCases(arg) {
  const files = fs.statSync(arg).isDirectory()
    ? fs.readdirSync(arg).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(arg, f))
    : [arg];
  const out = [];
  for (const f of files) {
    const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
    for (const c of Array.isArray(doc) ? doc : [doc]) out.push({ file: f, c });
  }
  return out;
}

let passed = 0, failed = 0;
function print(r) {
  if (r.ok) passed++;
  else failed++;
  console.log(r.ok ? `ok - ${r.name}` : `not ok - ${r.name}: ${r.why}`);
}

async function live() {
  let cases;
  try {
    cases = args.cases.flatMap(loadCases);
  } catch (err) {
    console.error(`cannot read the cases: ${err.message}`);
    process.exit(2);
  }
  for (const { file, c } of cases) {
    const caseErrs = validateCase(c);
    if (caseErrs.length) {
      print({ ok: false, name: `${c?.name ?? file}: case file`, why: `${file}: ${caseErrs.join('; ')}` });
      continue;
    }
    let answer;
    try {
      answer = await ask(c);
    } catch (err) {
      print({ ok: false, name: `${c.name}: request`, why: `${c.request.method ?? 'POST'} ${c.request.path}: ${err.cause?.message ?? err.message}` });
      continue;
    }
    runCase(c, answer).forEach(print);
  }
}

// ---- self-test: canned answers, good and bad ----

function selfTest() {
  const FROM = 1700000000000, TO = 1700000010000;
  const json = (status, body) => ({ status, contentType: 'application/json', text: JSON.stringify(body) });
  const query = (targets) => ({ method: 'POST', path: '/query', body: {
    range: { from: '2023-11-14T22:13:20.000Z', to: '2023-11-14T22:13:30.000Z' }, maxDataPoints: 3, targets } });

  // A SimpleJSON timeserie answer: two series of one target, a gap in one.
  const tsReq = query([{ target: 'kernel/CPU Usage/*', refId: 'A', type: 'timeserie' }]);
  const tsBody = [
    { target: 'CPU 0', refId: 'A', datapoints: [[12.5, FROM + 500], [null, FROM + 1500], [13, FROM + 2500]] },
    { target: 'CPU 1', refId: 'A', datapoints: [[1, FROM + 500], [2, FROM + 1500], [3, FROM + 2500]] },
  ];
  const tsFrame = (name, valueSpec) => ({ name, refId: 'A', length: 3, exactFields: true, fields: [
    { name: 'Time', type: 'time', allTimesMs: true }, { name: 'Value', type: 'number', ...valueSpec }] });
  const tsCase = (name, extra = {}) => ({ name, request: tsReq, expect: {
    frames: [tsFrame('CPU 0', { nullable: true, values: [12.5, null] }), tsFrame('CPU 1', { values: [1, 2, 3] })],
    timesWithin: [FROM, TO], ...extra } });

  // A SimpleJSON table answer: intervals, with a limit notice in meta.
  const tblReq = query([{ target: 'kernel/Thread Status', refId: 'B', type: 'table' }]);
  const cols = [{ text: 'row', type: 'string' }, { text: 'start', type: 'time' }, { text: 'end', type: 'time' },
    { text: 'state', type: 'string' }, { text: 'duration_ms', type: 'number' }, { text: 'start_ns', type: 'string' }];
  const tblRows = [['bash', FROM + 100, FROM + 300, 'Running', 200, '1700000000100644597'],
    ['sshd', FROM + 200, FROM + 900, 'Blocked', 700, '1700000000200000001']];
  const tblBody = (columns = cols, rows = tblRows) => [{ type: 'table', refId: 'B', columns, rows,
    meta: { notices: [{ severity: 'warning', text: 'limit 2 cut the rows' }] } }];
  const tblCase = (name) => ({ name, request: tblReq, expect: { frames: [{ refId: 'B', length: 2, notices: 'limit', fields: [
    { name: 'row', type: 'string', values: ['bash', 'sshd'] }, { name: 'start', type: 'time', allTimesMs: true },
    { name: 'end', type: 'time', allTimesMs: true }, { name: 'state', type: 'string', contains: ['Blocked'] },
    { name: 'duration_ms', type: 'number', values: [200, 700] }, { name: 'start_ns', type: 'string' }] }],
  timesWithin: [FROM, TO] } });

  // A data-frame DTO (JSON datasource): a state timeline with colours and a notice.
  const dtoReq = query([{ target: 'timeline', refId: 'C', payload: { experiment: 'kernel', output: 'Thread Status' } }]);
  const mapping = { type: 'value', options: { Running: { text: 'Running', color: '#00c800', index: 0 } } };
  const dtoBody = ({ bash = {}, meta = { notices: [{ severity: 'warning', text: 'the analysis is still running; refresh' }] },
    frame = {} } = {}) => [{ name: 'Thread Status', refId: 'C', meta, fields: [
    { name: 'time', type: 'time', values: [FROM + 100, FROM + 300], config: {} },
    { name: 'bash', type: 'string', values: ['Running', null], config: { mappings: [mapping] }, ...bash },
    { name: 'sshd (12)', type: 'string', values: ['Running', 'Running'], config: { mappings: [mapping], unit: 'none' } }], ...frame }];
  const dtoCase = (name) => ({ name, request: dtoReq, expect: { frames: [{ name: 'Thread Status', refId: 'C', length: 2,
    exactFields: true, notices: 'still running', mappingsColor: '*', fields: [
      { name: 'time', type: 'time', allTimesMs: true }, { name: 'bash', type: 'string', nullable: true, values: ['Running', null] },
      { name: 'sshd (12)', type: 'string', unit: 'none' }] }], timesWithin: [FROM, TO] } });

  const annReq = { method: 'POST', path: '/annotations', body: { annotation: { name: 'Frames', query: 'kernel/Thread Status?markers=frames' } } };
  const ann = (time, timeEnd) => ({ annotation: { name: 'Frames' }, time, timeEnd, title: 'Frame 1', text: 'frame 1 of bash', tags: ['frames'] });
  const annCase = { name: 'annotations', request: annReq,
    expect: { annotations: { minLength: 1, contains: ['Frame 1'], annotationName: 'Frames' }, timesWithin: [FROM, TO] } };
  const varCase = { name: 'variable', request: { method: 'POST', path: '/variable', body: { payload: { target: 'experiments()' } } },
    expect: { list: { minLength: 1, contains: ['kernel'], itemKeys: ['__text', '__value'] } } };
  const errCase = { name: 'unknown experiment', request: query([{ target: 'nope/CPU Usage', refId: 'A' }]),
    expect: { status: 400, error: 'unknown experiment' } };

  // [what, case, canned answer, null (must pass) | substring of a failure reason]
  const table = [
    ['a SimpleJSON timeserie answer', tsCase('timeserie'), json(200, tsBody), null],
    ['a SimpleJSON table answer', tblCase('table'), json(200, tblBody()), null],
    ['a data-frame DTO with mappings and notices', dtoCase('frame DTO'), json(200, dtoBody()), null],
    ['series checked with eachFrame', { name: 'each', request: tsReq, expect: { minFrames: 2,
      eachFrame: { refId: 'A', minLength: 3, fields: [{ name: 'Time', type: 'time', allTimesMs: true },
        { name: 'Value', type: 'number', nullable: true }] } } }, json(200, tsBody), null],
    ['a 400 with its error', errCase, json(400, { error: 'unknown experiment "nope"' }), null],
    ['SimpleJSON annotations', annCase, json(200, [ann(FROM + 100, FROM + 200)]), null],
    ['a /variable list', varCase, json(200, [{ __text: 'kernel', __value: 'kernel' }]), null],
    ['a /search list', { name: 'search', request: { method: 'POST', path: '/search', body: { target: '' } },
      expect: { list: { minLength: 2, contains: ['kernel/CPU Usage'] } } }, json(200, ['kernel/CPU Usage', 'kernel/Thread Status']), null],

    ['times in seconds', tsCase('timeserie'), json(200, tsBody.map((s) => ({ ...s,
      datapoints: s.datapoints.map(([v, t]) => [v, Math.floor(t / 1000)]) }))), 'not an integer epoch ms'],
    ['times outside the range', tsCase('timeserie'), json(200, tsBody.map((s) => ({ ...s,
      datapoints: s.datapoints.map(([v, t]) => [v, t + 3600000]) }))), 'outside ['],
    ['a missing field', tblCase('table'), json(200, tblBody(cols.filter((c) => c.text !== 'end'),
      tblRows.map((r) => r.filter((_, i) => i !== 2)))), 'no field "end"'],
    ['a wrong column type', tblCase('table'), json(200, tblBody(cols.map((c) => (c.text === 'duration_ms'
      ? { ...c, type: 'string' } : c)))), 'is string, expected number'],
    ['a wrong DTO field type', dtoCase('frame DTO'), json(200, dtoBody({ bash: { type: 'number' } })), 'is number, expected string'],
    ['a type name Grafana does not know', dtoCase('frame DTO'), json(200, dtoBody({ bash: { type: 'int' } })), 'not a Grafana FieldType'],
    ['a string where a number belongs', tsCase('timeserie'), json(200, [tsBody[0], { ...tsBody[1],
      datapoints: [['1', FROM + 500], ['2', FROM + 1500], ['3', FROM + 2500]] }]), 'holds "1" at 0'],
    ['ISO strings in a time column', tblCase('table'), json(200, tblBody(cols, tblRows.map((r) =>
      [r[0], new Date(r[1]).toISOString(), ...r.slice(2)]))), '(time) holds "2023-'],
    ['a null where none may be', tsCase('timeserie'), json(200, [tsBody[0], { ...tsBody[1],
      datapoints: [[1, FROM + 500], [null, FROM + 1500], [3, FROM + 2500]] }]), 'holds null at 1'],
    ['one frame too many', tsCase('timeserie'), json(200, [...tsBody, tsBody[1]]), '3 frames'],
    ['a refId nobody asked for', tsCase('timeserie'), json(200, [tsBody[0], { ...tsBody[1], refId: 'Z' }]), 'is none of the request'],
    ['a lost notice', dtoCase('frame DTO'), json(200, dtoBody({ meta: {} })), 'no notice containing'],
    ['mappings without a colour', dtoCase('frame DTO'), json(200, dtoBody({ bash: { config: { mappings: [
      { type: 'value', options: { Running: { text: 'Running', index: 0 } } }] } } })), 'no value mapping with a #rrggbb'],
    ['fields of unequal lengths', dtoCase('frame DTO'), json(200, dtoBody({ bash: { values: ['Running'] } })), 'has 1 values, the frame 2'],
    ['a 502 where data was due', tsCase('timeserie'), json(502, { error: 'trace server: connection refused' }), 'got HTTP 502'],
    ['another error message', errCase, json(400, { error: 'bad pattern' }), 'does not contain "unknown experiment"'],
    ['an error that is not {"error"}', errCase, json(400, { message: 'unknown experiment' }), 'not an {"error"'],
    ['an HTML answer', tsCase('timeserie'), { status: 200, contentType: 'text/html', text: '<html></html>' }, 'Content-Type'],
    ['an object where an array belongs', tsCase('timeserie'), json(200, { data: tsBody }), 'not an array'],
    ['an element toDataFrame cannot take', tsCase('timeserie'), json(200, [{ target: 'x', refId: 'A' }]), 'toDataFrame failed'],
    ['annotations in seconds', annCase, json(200, [ann(FROM / 1000, FROM / 1000 + 1)]), 'time 1700000000 is not'],
    ['annotations without a title', annCase, json(200, [{ ...ann(FROM + 1, FROM + 2), title: 7 }]), 'title 7 is not a string'],
    ['a list without the expected item', varCase, json(200, [{ __text: 'other', __value: 'other' }]), 'no item "kernel"'],
    ['list objects without __value', varCase, json(200, [{ __text: 'kernel' }]), 'has no "__value"'],
    ['a typo in the case file', { ...tsCase('timeserie'), expect: { frames: [{ lenght: 3 }] } }, json(200, tsBody.slice(0, 1)),
      'unknown key "lenght"'],
  ];

  let bad = 0;
  for (const [what, c, answer, wantWhy] of table) {
    const res = runCase(c, answer);
    const fails = res.filter((r) => !r.ok);
    let ok, line;
    if (wantWhy === null) {
      ok = fails.length === 0;
      line = ok ? `ok - accepts ${what} (${res.length} checks)`
        : `not ok - accepts ${what}: ${fails.map((r) => `${r.name}: ${r.why}`).join(' | ')}`;
    } else {
      const hit = fails.find((r) => r.why.includes(wantWhy));
      ok = Boolean(hit);
      line = ok ? `ok - rejects ${what} (${hit.name}: ${hit.why.slice(0, 160)})`
        : `not ok - rejects ${what}: ${fails.length ? `failed for other reasons: ${fails.map((r) => r.why).join(' | ')}`
          : 'every check passed'} (wanted a failure mentioning ${show(wantWhy)})`;
    }
    if (ok) passed++;
    else {
      failed++;
      bad++;
    }
    console.log(line);
  }
  return bad;
}

// ---- main ----

if (args.selfTest) selfTest();
else await live();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
