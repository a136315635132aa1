// `make bench`: the Kernel view panel on tspsim's large workload in Debian's
// chromium: first paint (answer in → first frame drawn) and redraw on zoom
// (range set → frame drawn at the new scale, before the new answer). Prints
// one JSON line per measure. Not a test: numbers go to BENCHMARKS.md.
import { openHarness, startHarness } from './browser';

const RUNS = Number(process.env.BENCH_RUNS ?? '5');

async function main() {
  const sim = ['--running-polls', '0', '--threads', '5000', '--events', '2000000'];
  const h = await startHarness(sim, ['--max-answer-mb', '512', '--max-upstream-mb', '512', '--poll-deadline', '60000']);
  try {
    const first: number[] = [];
    const zoom: number[] = [];
    const drawMs: number[] = [];
    let counts: unknown = null;
    for (let run = 0; run < RUNS; run++) {
      const page = await openHarness(h, '/?panel&from=1700000000000&to=1700000010000&width=1100&height=700&points=8000', { width: 1140, height: 760 });
      await page.waitForFunction(() => {
        const c = document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview?: { rects: number } } | null;
        return (c?.kernelview?.rects ?? 0) > 0;
      }, null, { timeout: 120000 });
      const r = await page.evaluate(() => {
        const k = (document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview: { at: number; ms: number } }).kernelview;
        const hs = (window as unknown as { harness: { dataAt: number; queryMs: number } }).harness;
        const d = (window as unknown as { harnessData: { data: Array<{ name: string; length: number }> } }).harnessData.data;
        return { firstPaint: k.at - hs.dataAt, drawMs: k.ms, queryMs: hs.queryMs, counts: Object.fromEntries(d.map((f) => [f.name, f.length])) };
      });
      first.push(r.firstPaint);
      drawMs.push(r.drawMs);
      counts = r.counts;
      // Zoom: drag over a fifth of the plot; the redraw at the new scale comes before the new answer.
      const box = (await page.getByTestId('kernelview-canvas').boundingBox())!;
      await page.mouse.move(box.x + 500, box.y + 200);
      await page.mouse.down();
      await page.mouse.move(box.x + 700, box.y + 200, { steps: 4 });
      await page.mouse.up();
      await page.waitForFunction(() => {
        const k = (document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview: { at: number } }).kernelview;
        const hs = (window as unknown as { harness: { rangeAt?: number } }).harness;
        return hs.rangeAt !== undefined && k.at > hs.rangeAt;
      }, null, { timeout: 60000 });
      zoom.push(
        await page.evaluate(() => {
          const k = (document.querySelector('[data-testid="kernelview-canvas"]') as unknown as { kernelview: { at: number } }).kernelview;
          return k.at - (window as unknown as { harness: { rangeAt: number } }).harness.rangeAt;
        })
      );
      await page.close();
    }
    const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(JSON.stringify({ bench: 'kernelview', workload: sim.join(' '), points: 8000, counts, runs: RUNS,
      first_paint_ms_median: +med(first).toFixed(1), first_paint_ms: first.map((x) => +x.toFixed(1)),
      draw_ms_median: +med(drawMs).toFixed(1),
      zoom_redraw_ms_median: +med(zoom).toFixed(1), zoom_redraw_ms: zoom.map((x) => +x.toFixed(1)) }));
  } finally {
    await h.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
