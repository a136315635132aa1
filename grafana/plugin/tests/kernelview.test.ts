// The kernel view's model and layout maths, without a browser: frames →
// model with exact ns, row order and collapse, clipping, level-of-detail,
// arrow end points for collapsed rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDataFrame, FieldType } from '@grafana/data';
import { type TimelineDoc, timelineFrames } from '../src/datasource/timeline';
import { arrowSegments, formatDuration, indexOf, lodRects, type Scale, shownLine, stateAt, tOf, visibleRows, xOf } from '../src/panel/layout';
import { buildModel, frameKind, nsString, offsetFrom } from '../src/panel/model';

const BASE = 1700000000000000000n;

function doc(): TimelineDoc {
  const ns = (o: number) => (BASE + BigInt(o)).toString();
  const ms = (o: number) => Number((BASE + BigInt(o)) / 1000000n);
  return {
    schema: 'tsp-bridge/timeline',
    version: 1,
    source: {
      experiment: { name: 'kernel' },
      output: { name: 'Thread Status' },
      range: { start_ns: ns(0), end_ns: ns(1000000), start_ms: ms(0), end_ms: ms(1000000) },
      status: 'COMPLETED',
    },
    rows: [
      { id: 1, parentId: 0, name: 'bash', metadata: { tid: [316], pid: [316] } },
      { id: 2, parentId: 1, name: 'bash', metadata: { tid: [317], pid: [316] } },
      { id: 3, parentId: 0, name: 'sshd', metadata: { tid: [390], pid: [390] } },
      { id: 4, parentId: 3, name: 'sshd-child', metadata: { tid: [391], pid: [390] } },
    ],
    states: [
      { row: 1, start_ns: ns(123), end_ns: ns(500123), start_ms: ms(123), end_ms: ms(500123), value: 'Running', style: 'RUN' },
      { row: 1, start_ns: ns(500123), end_ns: ns(900000), start_ms: ms(500123), end_ms: ms(900000), value: 'Wait', style: 'WAIT' },
      { row: 2, start_ns: ns(0), end_ns: ns(10), start_ms: ms(0), end_ms: ms(10), value: 'Running', style: 'RUN', color: '#123456' },
    ],
    events: [{ row: 3, time_ns: ns(42), time_ms: ms(42), type: 'irq', label: 'x' }],
    links: [
      { source: 2, target: 4, start_ns: ns(100), end_ns: ns(200), start_ms: ms(100), end_ms: ms(200), type: 'Wake-up', style: 'WAKEUP' },
      { source: 1, target: 2, start_ns: ns(300), end_ns: ns(400), start_ms: ms(300), end_ms: ms(400), type: 'CPU hand-off', style: 'HANDOFF' },
    ],
    styles: { RUN: { name: 'Running', color: '#00c800' }, WAIT: { color: '#c8c800' }, WAKEUP: { color: '#ff0000' } },
  };
}

test('timeline frames: named, with the flat forms\' fields, colours resolved, a newer schema refused', () => {
  const frames = timelineFrames(doc(), 'K');
  assert.deepEqual(frames.map((f) => f.name), ['rows', 'states', 'events', 'links']);
  assert.ok(frames.every((f) => f.refId === 'K'));
  const states = frames[1];
  assert.deepEqual(states.fields.find((f) => f.name === 'color')?.values, ['#00c800', '#c8c800', '#123456'], 'inline colour wins');
  assert.deepEqual(frames[3].fields.find((f) => f.name === 'color')?.values, ['#ff0000', null]);
  assert.throws(() => timelineFrames({ ...doc(), version: 2 }, 'K'), /version 2/);
  const running = timelineFrames({ ...doc(), source: { ...doc().source, status: 'RUNNING' } }, 'K');
  assert.match(JSON.stringify(running[0].meta?.notices), /still running/);
  assert.equal(buildModel(running, 0n).status, 'RUNNING', 'the panel says the data is partial');
});

test('model: exact ns kept through offsets, rows as a tree, states sorted per row', () => {
  const m = buildModel(timelineFrames(doc(), 'K'), 0n);
  assert.equal(m.baseNs, BASE);
  const r1 = m.states.get(1)!;
  assert.equal(r1.start[0], 123);
  assert.equal(nsString(m.baseNs, r1.start[0]), '1700000000000000123');
  assert.equal(nsString(m.baseNs, r1.end[0]), '1700000000000500123');
  assert.deepEqual(m.roots.map((r) => r.id), [1, 3]);
  assert.deepEqual(m.rows.get(1)!.children.map((r) => r.id), [2]);
  assert.equal(m.rows.get(4)!.depth, 1);
  assert.equal(m.events[0].time, 42);
  assert.deepEqual(m.legend, [['Running', '#00c800'], ['Wait', '#c8c800']]);
});

test('model: Infinity\'s unnamed flat frames, recognised by their fields, times in ms only', () => {
  const rows = createDataFrame({ fields: [
    { name: 'id', type: FieldType.number, values: [7, 8] },
    { name: 'parentId', type: FieldType.number, values: [0, 7] },
    { name: 'name', type: FieldType.string, values: ['a', 'b'] },
  ] });
  const states = createDataFrame({ fields: [
    { name: 'start', type: FieldType.time, values: [1700000000002, 1700000000001] },
    { name: 'end', type: FieldType.time, values: [1700000000003, 1700000000002] },
    { name: 'row', type: FieldType.number, values: [8, 8] },
    { name: 'value', type: FieldType.string, values: ['late', 'early'] },
  ] });
  const links = createDataFrame({ fields: [
    { name: 'source', type: FieldType.number, values: [7] },
    { name: 'target', type: FieldType.number, values: [8] },
    { name: 'start', type: FieldType.time, values: [1700000000001] },
    { name: 'end', type: FieldType.time, values: [1700000000002] },
  ] });
  assert.deepEqual([rows, states, links].map(frameKind), ['rows', 'states', 'links']);
  const m = buildModel([links, states, rows], BASE);
  assert.deepEqual(Array.from(m.states.get(8)!.start), [1000000, 2000000], 'sorted by start');
  assert.deepEqual(m.states.get(8)!.value, ['early', 'late']);
  assert.equal(m.links[0].end, 2000000);
});

test('rows: tree order, collapse hides children, a filter keeps the ancestors of matches', () => {
  const m = buildModel(timelineFrames(doc(), 'K'), 0n);
  assert.deepEqual(visibleRows(m, new Set()).map((v) => v.row.id), [1, 2, 3, 4]);
  const c = visibleRows(m, new Set([1]));
  assert.deepEqual(c.map((v) => v.row.id), [1, 3, 4]);
  assert.equal(c[0].collapsed, true);
  assert.deepEqual(visibleRows(m, new Set(), 'CHILD').map((v) => v.row.id), [3, 4]);
  assert.deepEqual(visibleRows(m, new Set(), '317').map((v) => v.row.id), [1, 2], 'exact tid');
  const idx = indexOf(c);
  assert.equal(shownLine(m, idx, 2), 0, 'a collapsed row is drawn on its parent\'s line');
  assert.equal(shownLine(m, indexOf(visibleRows(m, new Set(), 'sshd')), 1), undefined);
});

test('time ↔ pixel, clipping to the range, states merged below a pixel', () => {
  const s: Scale = { t0: 1000, t1: 2000, x0: 50, width: 100 };
  assert.equal(xOf(s, 1500), 100);
  assert.equal(tOf(s, xOf(s, 1234)), 1234);
  // 1000 states of 1 ns each, alternating colours, with one long state after them.
  const n = 1001;
  const rs = { start: new Float64Array(n), end: new Float64Array(n), value: [] as (string | null)[], label: [] as (string | null)[], color: [] as (string | null)[] };
  for (let i = 0; i < 1000; i++) {
    rs.start[i] = 900 + i;
    rs.end[i] = 901 + i;
    rs.color[i] = i % 3 === 0 ? '#aaaaaa' : '#bbbbbb';
    rs.value[i] = rs.label[i] = null;
  }
  rs.start[1000] = 1900;
  rs.end[1000] = 5000;
  rs.color[1000] = '#cccccc';
  const rects = lodRects(rs, s);
  assert.ok(rects.length <= 101, `${rects.length} rectangles for 100 pixels`);
  assert.ok(rects.every((r) => r.x >= 50 && r.x + r.w <= 150.0001), 'clipped to the view');
  const last = rects[rects.length - 1];
  assert.deepEqual([last.x, last.w, last.color, last.index], [140, 10, '#cccccc', 1000]);
  assert.equal(rects[0].color, '#bbbbbb', 'the colour covering most of the pixel');
  assert.equal(rects[0].index, -1);
  assert.equal(stateAt(rs, 950), 50);
  assert.equal(stateAt(rs, 1950), 1000);
  assert.equal(stateAt(rs, 6000), -1);
});

test('arrows: end points on collapsed parents, same-line and filtered links dropped, culled to the view', () => {
  const m = buildModel(timelineFrames(doc(), 'K'), 0n);
  const view = (vis: ReturnType<typeof visibleRows>, types: Set<string> | null = null) => ({
    scale: { t0: 0, t1: 1000, x0: 0, width: 1000 },
    lineY: (i: number) => i * 20 + 10,
    top: 0,
    bottom: vis.length * 20,
    types,
  });
  const all = visibleRows(m, new Set());
  let segs = arrowSegments(m, m.links, indexOf(all), view(all));
  assert.deepEqual(segs.map((s) => [s.x0, s.y0, s.x1, s.y1, s.type]), [
    [100, 30, 200, 70, 'Wake-up'],
    [300, 10, 400, 30, 'CPU hand-off'],
  ]);
  const col = visibleRows(m, new Set([1, 3]));
  segs = arrowSegments(m, m.links, indexOf(col), view(col));
  assert.deepEqual(segs.map((s) => [s.y0, s.y1]), [[10, 30]], 'wake-up between collapsed parents; the hand-off inside one row is gone');
  segs = arrowSegments(m, m.links, indexOf(all), view(all, new Set(['CPU hand-off'])));
  assert.deepEqual(segs.map((s) => s.type), ['CPU hand-off']);
  segs = arrowSegments(m, m.links, indexOf(all), { ...view(all), scale: { t0: 500, t1: 1000, x0: 0, width: 1000 } });
  assert.equal(segs.length, 0, 'links before the view are culled');
  assert.equal(formatDuration(1234567), '1.235 ms');
  assert.equal(formatDuration(830), '830 ns');
});

test('ns offsets: exact without BigInt for positive ns, the same as BigInt maths everywhere', () => {
  const bases = [1700000000123456789n, 0n, 999999n, -5000000001n];
  const times = ['1700000000123456789', '1700000000999999999', '1700000000000000001', '1700000000123456790', '1000000', '999999', '-7', '0'];
  for (const b of bases) {
    const off = offsetFrom(b);
    for (const t of times) {
      const want = Number(BigInt(t) - b);
      if (Math.abs(want) < 2 ** 53) {
        assert.equal(off(t, null), want, `${t} - ${b}`);
      }
    }
  }
  assert.equal(offsetFrom(BASE)(undefined, 1700000000001), 1000000, 'ms when no ns string');
  assert.ok(Number.isNaN(offsetFrom(BASE)('12x', null)));
});
