// The query editor of the built plugin, rendered in Debian's chromium
// (driven by playwright-core) on the harness page, its pickers filled from a
// live bridge + tspsim through a proxy path like Grafana's. A screenshot is
// kept: build/plugin-artifacts/query-editor.png.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, type Harness, openHarness, startHarness } from './browser';

let h: Harness;

async function harness(page: Page): Promise<{ query: Record<string, unknown>; runs: number; errors: string[]; ready: boolean }> {
  return page.evaluate(() => (window as unknown as { harness: never }).harness);
}

async function pick(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  // An option's accessible name also holds its description (the output type).
  await page.getByRole('option').filter({ hasText: new RegExp('^' + option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).first().click();
}

before(async () => {
  h = await startHarness();
});

after(async () => {
  await h?.stop();
});

test('the query editor fills its pickers from the bridge and builds the query', async () => {
  const page = await openHarness(h, '/', { width: 960, height: 560 });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  // Experiments come from the bridge (experiments()), then its outputs with their types.
  await pick(page, 'tsp-experiment', 'kernel');
  await page.waitForFunction(() => (window as unknown as { harness: { query: { experiment?: string } } }).harness.query.experiment === 'kernel');
  await pick(page, 'tsp-output', 'CPU Usage');
  let st = await harness(page);
  assert.equal(st.query.output, 'CPU Usage');
  assert.ok(st.runs >= 1, 'choosing an output runs the query');

  // The view list follows the output's type: an XY output offers series, not timeline.
  await page.getByTestId('tsp-view').click();
  assert.equal(await page.getByRole('option', { name: 'Series' }).count(), 1);
  assert.equal(await page.getByRole('option', { name: 'Timeline' }).count(), 0);
  await page.getByRole('option', { name: 'Series' }).click();

  // Entries from entries(kernel/CPU Usage): tspsim's threads.
  await page.getByTestId('tsp-entries').click();
  await page.getByRole('option', { name: 'bash', exact: true }).click();
  // The second pick builds on the first only once the editor has it (as a user sees its chip).
  await page.waitForFunction(() => ((window as unknown as { harness: { query: { entries?: string[] } } }).harness.query.entries ?? []).length === 1);
  let latest: string[] = ['bash'];
  // A loaded machine can re-render between the two picks: pick what is still missing, a few times.
  const chosen = async () => ((await harness(page)).query.entries as string[] | undefined) ?? [];
  for (let i = 0; i < 3 && (await chosen()).length < 2; i++) {
    for (const name of ['bash', 'sshd'].filter((n) => !latest.includes(n))) {
      if (!(await page.getByRole('option', { name, exact: true }).isVisible())) {
        await page.getByTestId('tsp-entries').click();
      }
      await page.getByRole('option', { name, exact: true }).click();
    }
    await page.waitForFunction(() => ((window as unknown as { harness: { query: { entries?: string[] } } }).harness.query.entries ?? []).length === 2, null, { timeout: 5000 }).catch(() => undefined);
    latest = await chosen();
  }
  assert.deepEqual([...(await chosen())].sort(), ['bash', 'sshd']);
  const listed = await page.getByRole('option').allTextContents();
  assert.ok(listed.some((t) => t.includes('kworker/0:1')), 'entries listed: ' + listed.join(', '));

  mkdirSync(ARTIFACTS, { recursive: true });
  const shot = join(ARTIFACTS, 'query-editor.png');
  await page.screenshot({ path: shot });
  assert.ok(readFileSync(shot).length > 10000, 'the screenshot has content');

  st = await harness(page);
  assert.deepEqual(
    { experiment: st.query.experiment, output: st.query.output, view: st.query.view, entries: [...((st.query.entries as string[]) ?? [])].sort() },
    { experiment: 'kernel', output: 'CPU Usage', view: 'series', entries: ['bash', 'sshd'] }
  );
  assert.ok(h.proxied.some((p) => p.startsWith('POST /variable')), 'discovery went through the proxy path');
  assert.deepEqual([...st.errors, ...pageErrors], []);
  await page.close();
});

test('code mode keeps the target and the builder fields', async () => {
  const page = await openHarness(h, '/', { width: 960, height: 400 });
  await page.getByRole('radio', { name: 'Code' }).click({ force: true });
  const input = page.getByTestId('tsp-target');
  await input.fill('kernel/Thread Status/~^(bash|sshd)$?view=intervals');
  await input.blur();
  const st = await harness(page);
  assert.equal(st.query.mode, 'code');
  assert.equal(st.query.target, 'kernel/Thread Status/~^(bash|sshd)$?view=intervals');
  assert.ok(st.runs >= 1);
  await page.screenshot({ path: join(ARTIFACTS, 'query-editor-code.png') });
  await page.close();
});

test('the settings keep the URL and pass bearer or basic credentials through Grafana\'s proxy', async () => {
  const page = await openHarness(h, '/?config', { width: 960, height: 360 });
  const options = () => page.evaluate(() => (window as unknown as { harnessOptions: Record<string, never> }).harnessOptions);
  await page.getByTestId('tsp-url').fill('http://bridge:8090');
  await page.getByRole('radio', { name: 'Bearer token' }).click({ force: true });
  await page.getByPlaceholder('Password').or(page.locator('input[type="password"]')).first().fill('s3cret');
  let o: Record<string, any> = await options(); // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(o.url, 'http://bridge:8090');
  assert.equal(o.access, 'proxy');
  assert.equal(o.jsonData.authKind, 'bearer');
  assert.equal(o.jsonData.httpHeaderName1, 'Authorization');
  assert.equal(o.secureJsonData.httpHeaderValue1, 'Bearer s3cret');
  assert.equal(o.basicAuth, false);
  await page.screenshot({ path: join(ARTIFACTS, 'config-editor.png') });
  await page.getByRole('radio', { name: 'Basic' }).click({ force: true });
  o = await options();
  assert.equal(o.basicAuth, true);
  assert.equal(o.jsonData.httpHeaderName1, undefined, 'no bearer header with basic auth');
  await page.close();
});
