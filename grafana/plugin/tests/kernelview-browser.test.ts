// The Kernel view panel of the built plugin in Debian's chromium, fed by the
// datasource's Kernel view query against a live bridge + tspsim: what is
// drawn (state colours at known pixels, arrows between the right rows),
// the tooltip, zoom and pan setting the dashboard's range, the row filter,
// and the empty state. Screenshots in build/plugin-artifacts/.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, type Harness, openHarness, startHarness } from './browser';
import { REPO } from './live';

let h: Harness;

interface Summary {
  lines: number;
  rects: number;
  events: number;
  segments: Array<{ x0: number; y0: number; x1: number; y1: number; link: number; color: string | null; type: string | null }>;
  scale: { t0: number; t1: number; x0: number; width: number };
  visible: number[];
  ms: number;
}

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const AXIS = 22;
const HEADER = 30;
const ROW = 18;

async function summary(page: Page): Promise<Summary> {
  return page.evaluate(() => (document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview: Summary }).kernelview);
}

/** The canvas pixel at (x, y) in CSS pixels, as #rrggbb. */
async function pixel(page: Page, x: number, y: number): Promise<string> {
  return page.evaluate(
    ([px, py]) => {
      const c = document.querySelector('[data-testid="kernelview-canvas"]') as HTMLCanvasElement;
      const dpr = c.width / c.clientWidth;
      const d = c.getContext('2d')!.getImageData(Math.floor(px * dpr), Math.floor(py * dpr), 1, 1).data;
      return '#' + [d[0], d[1], d[2]].map((v) => v.toString(16).padStart(2, '0')).join('');
    },
    [x, y]
  );
}

/** The datasource's frames as the harness got them. */
async function frames(page: Page): Promise<Record<string, Record<string, unknown[]>>> {
  return page.evaluate(() => {
    const out: Record<string, Record<string, unknown[]>> = {};
    for (const f of (window as unknown as { harnessData: { data: Any[] } }).harnessData.data) {
      out[f.name] = Object.fromEntries(f.fields.map((x: Any) => [x.name, Array.from(x.values)]));
    }
    return out;
  });
}

async function drawn(page: Page): Promise<Summary> {
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview?: { rects: number } } | null;
    return !!c?.kernelview && c.kernelview.rects > 0;
  }, null, { timeout: 30000 });
  return summary(page);
}

before(async () => {
  h = await startHarness();
  mkdirSync(ARTIFACTS, { recursive: true });
});

after(async () => {
  await h?.stop();
});

test('states are drawn in their colours where their times fall, arrows join the rows of their links', async () => {
  const page = await openHarness(h, '/?panel', { width: 1140, height: 640 });
  const s = await drawn(page);
  const f = await frames(page);
  assert.ok(s.lines > 10 && s.rects > 50, JSON.stringify({ lines: s.lines, rects: s.rects }));
  const canvasTop = await page.evaluate(() => document.querySelector('[data-testid="kernelview-canvas"]')!.getBoundingClientRect().top);
  void canvasTop;

  // A state at least 8 px wide on a visible line: its colour at its middle.
  const st = f.states;
  const xOf = (ms: number, ns: string) => {
    const t = Number(BigInt(ns) - (BigInt(1700000000000) * 1000000n));
    void ms;
    return s.scale.x0 + ((t - s.scale.t0) * s.scale.width) / (s.scale.t1 - s.scale.t0);
  };
  let checked = 0;
  for (let i = 0; i < st.row.length && checked < 5; i++) {
    const line = s.visible.indexOf(st.row[i] as number);
    if (line < 0 || line > 20 || !st.color[i]) {
      continue;
    }
    const a = Math.max(xOf(st.start[i] as number, st.start_ns[i] as string), s.scale.x0);
    const b = Math.min(xOf(st.end[i] as number, st.end_ns[i] as string), s.scale.x0 + s.scale.width);
    if (b - a < 8) {
      continue;
    }
    const y = AXIS + line * ROW + ROW / 2;
    assert.equal(await pixel(page, (a + b) / 2, y), String(st.color[i]).toLowerCase(), `row ${st.row[i]} state ${st.value[i]} at x ${(a + b) / 2}`);
    checked++;
  }
  assert.equal(checked, 5, 'five wide states checked');

  // Arrows: each drawn segment joins the lines of its link's rows, and is drawn.
  assert.ok(s.segments.length > 0, 'arrows drawn');
  const links = f.links;
  for (const seg of s.segments.slice(0, 20)) {
    const src = s.visible.indexOf(links.source[seg.link] as number);
    const dst = s.visible.indexOf(links.target[seg.link] as number);
    assert.equal(seg.y0, AXIS + src * ROW + ROW / 2, 'starts on the source row');
    assert.equal(seg.y1, AXIS + dst * ROW + ROW / 2, 'ends on the target row');
  }
  const long = s.segments.find((g) => Math.abs(g.y1 - g.y0) > 3 * ROW && g.y0 > AXIS && g.y1 > AXIS && g.y0 < 600 && g.y1 < 600)!;
  assert.ok(long, 'an arrow across rows');
  const mx = (long.x0 + long.x1) / 2;
  const my = (long.y0 + long.y1) / 2;
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  void bg;
  const near = await Promise.all([-1, 0, 1].map((d) => pixel(page, mx + d, my)));
  assert.ok(near.some((c) => c !== '#181b1f' && c !== '#111217'), `arrow pixels at (${mx}, ${my}): ${near.join(' ')}`);

  await page.screenshot({ path: join(ARTIFACTS, 'kernel-view.png') });
  copyFileSync(join(ARTIFACTS, 'kernel-view.png'), join(ARTIFACTS, 'kernel-view-first.png'));
  assert.deepEqual(await page.evaluate(() => (window as unknown as { harness: { errors: string[] } }).harness.errors), []);
  await page.close();
});

test('the tooltip gives the state, its row and exact ns', async () => {
  const page = await openHarness(h, '/?panel', { width: 1140, height: 640 });
  const s = await drawn(page);
  const f = await frames(page);
  const st = f.states;
  const line0 = s.visible[0];
  const i = st.row.findIndex((r, k) => r === line0 && Number(BigInt(st.end_ns[k] as string) - BigInt(st.start_ns[k] as string)) > (s.scale.t1 - s.scale.t0) / 50);
  assert.ok(i >= 0);
  const t = (ns: string) => Number(BigInt(ns) - 1700000000000n * 1000000n);
  const x = s.scale.x0 + ((((t(st.start_ns[i] as string) + t(st.end_ns[i] as string)) / 2) - s.scale.t0) * s.scale.width) / (s.scale.t1 - s.scale.t0);
  const box = (await page.getByTestId('kernelview-canvas').boundingBox())!;
  await page.mouse.move(box.x + x, box.y + AXIS + ROW / 2);
  const tip = await page.getByTestId('kernelview-tooltip').innerText();
  assert.match(tip, new RegExp(String(st.value[i])));
  assert.ok(tip.includes(`start ${st.start_ns[i]} ns`), tip);
  assert.ok(tip.includes(`end ${st.end_ns[i]} ns`), tip);
  assert.match(tip, /tid \d+/);
  await page.screenshot({ path: join(ARTIFACTS, 'kernel-view-tooltip.png') });
  await page.close();
});

test('drag zooms to the dragged span; shift-drag and the wheel pan; the filter narrows rows', async () => {
  const page = await openHarness(h, '/?panel', { width: 1140, height: 640 });
  const s = await drawn(page);
  const box = (await page.getByTestId('kernelview-canvas').boundingBox())!;
  const y = box.y + AXIS + 5 * ROW;
  const ranges = () => page.evaluate(() => (window as unknown as { harness: { ranges: Array<{ from: number; to: number }> } }).harness.ranges);
  const msAt = (x: number) => Math.floor((1700000000000 * 1e6 + s.scale.t0 + ((x - s.scale.x0) * (s.scale.t1 - s.scale.t0)) / s.scale.width) / 1e6);
  await page.mouse.move(box.x + 700, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 900, y, { steps: 5 });
  await page.mouse.up();
  let r = await ranges();
  assert.equal(r.length, 1);
  assert.ok(Math.abs(r[0].from - msAt(700)) <= 1 && Math.abs(r[0].to - msAt(900)) <= 1, JSON.stringify({ r, want: [msAt(700), msAt(900)] }));
  // The panel asks for the new range and draws it.
  await page.waitForFunction((span) => {
    const c = document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview?: { scale: { t0: number; t1: number } } };
    return c?.kernelview && Math.abs(c.kernelview.scale.t1 - c.kernelview.scale.t0 - span * 1e6) < 1e6;
  }, r[0].to - r[0].from, { timeout: 30000 });
  const zoomed = await drawn(page);
  assert.ok(zoomed.rects > 0);
  await page.screenshot({ path: join(ARTIFACTS, 'kernel-view-zoomed.png') });

  // Shift-drag to the left moves the range later by the dragged time.
  const span = r[0].to - r[0].from;
  await page.keyboard.down('Shift');
  await page.mouse.move(box.x + 700, y);
  await page.mouse.down();
  await page.mouse.move(box.x + 500, y, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  r = await ranges();
  assert.equal(r.length, 2);
  assert.ok(r[1].from > r[0].from && Math.abs(r[1].to - r[1].from - span) <= 1, JSON.stringify(r));

  // The wheel pans too.
  await page.mouse.move(box.x + 600, y);
  await page.mouse.wheel(0, 200);
  await page.waitForFunction(() => (window as unknown as { harness: { ranges: unknown[] } }).harness.ranges.length >= 3);

  // The filter keeps the matching rows.
  await page.getByTestId('kernelview-filter').fill('sshd');
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview?: { visible: number[] } };
    return (c?.kernelview?.visible.length ?? 0) > 0 && (c?.kernelview?.visible.length ?? 0) < 10;
  });
  const f = await frames(page);
  const names = new Map((f.rows.id as number[]).map((id, k) => [id, String(f.rows.name[k])]));
  const vis = (await summary(page)).visible;
  assert.ok(vis.every((id) => names.get(id) === 'sshd'), vis.map((id) => names.get(id)).join(', '));
  await page.close();
});

test('the same panel reads Infinity\'s flat /timeline forms (unnamed frames, fields alone)', async () => {
  const page = await openHarness(h, '/?panel&source=flat', { width: 1140, height: 640 });
  const s = await drawn(page);
  assert.ok(s.lines > 10 && s.rects > 50 && s.segments.length > 0, JSON.stringify({ lines: s.lines, rects: s.rects, segs: s.segments.length }));
  await page.screenshot({ path: join(ARTIFACTS, 'kernel-view-infinity.png') });
  await page.close();
});

test('collapsing a process draws its threads\' links to its line; an error is shown, not a blank panel', async () => {
  const page = await openHarness(h, '/?panel', { width: 1140, height: 640 });
  const s = await drawn(page);
  const f = await frames(page);
  // The first row with children: click its toggle in the names column.
  const rowIds = f.rows.id as number[];
  const parents = f.rows.parentId as number[];
  const parent = s.visible.find((id) => parents.includes(id))!;
  const kids = rowIds.filter((id, k) => parents[k] === parent);
  const box = (await page.getByTestId('kernelview-canvas').boundingBox())!;
  await page.mouse.click(box.x + 20, box.y + AXIS + s.visible.indexOf(parent) * ROW + ROW / 2);
  await page.waitForFunction((n) => {
    const c = document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview?: { visible: number[] } };
    return c?.kernelview?.visible.length === n;
  }, s.visible.length - kids.length);
  const c = await summary(page);
  assert.ok(kids.every((k) => !c.visible.includes(k)), 'children hidden');
  const line = c.visible.indexOf(parent);
  const y = AXIS + line * ROW + ROW / 2;
  const links = f.links;
  const touching = c.segments.filter((g) => kids.includes(links.source[g.link] as number) || kids.includes(links.target[g.link] as number));
  assert.ok(touching.length > 0, 'links of the hidden threads are still drawn');
  for (const g of touching) {
    const fromKid = kids.includes(links.source[g.link] as number);
    assert.equal(fromKid ? g.y0 : g.y1, y, 'drawn from / to the collapsed process\'s line');
  }
  await page.close();

  const bad = await openHarness(h, '/?panel&output=Nope', { width: 900, height: 300 });
  await bad.getByTestId('kernelview-message').waitFor({ timeout: 30000 });
  assert.match(await bad.getByTestId('kernelview-message').innerText(), /Nope/);
  await bad.close();
});

test('a range without data says so; the screenshot for the README', async () => {
  const empty = await openHarness(h, '/?panel&from=1600000000000&to=1600000001000', { width: 900, height: 300 });
  await empty.getByTestId('kernelview-message').waitFor({ timeout: 30000 });
  assert.match(await empty.getByTestId('kernelview-message').innerText(), /No state in this time range/);
  await empty.close();
  // The README's picture: the first second of tspsim's trace.
  const page = await openHarness(h, '/?panel&from=1700000000480&to=1700000000620&width=1100&height=520', { width: 1140, height: 560 });
  await drawn(page);
  await page.screenshot({ path: join(ARTIFACTS, 'kernel-view-readme.png') });
  void REPO;
  await page.close();
});
