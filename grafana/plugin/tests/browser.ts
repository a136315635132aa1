// The harness page served as Grafana would serve the plugin, with Grafana's
// datasource proxy path forwarded to a live bridge + tspsim, and Debian's
// chromium driven by playwright-core. Shared by the browser tests.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { type Live, REPO, startLive } from './live';

const PLUGIN = join(__dirname, '..');
export const ARTIFACTS = process.env.TSPB_ARTIFACTS ?? join(REPO, 'build', 'plugin-artifacts');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const PROXY = '/api/datasources/proxy/uid/tsp';

export interface Harness {
  base: string;
  browser: Browser;
  live: Live;
  /** Requests that went through the proxy path: "METHOD /path". */
  proxied: string[];
  stop(): Promise<void>;
}

function serve(bridgeUrl: string, proxied: string[]): Promise<[Server, string]> {
  const files: Record<string, [string, string]> = {
    '/': [join(PLUGIN, 'tests', 'harness', 'index.html'), 'text/html'],
    '/harness.js': [join(PLUGIN, 'dist-test', 'harness', 'harness.js'), 'text/javascript'],
    '/plugin/datasource/module.js': [join(PLUGIN, 'dist', 'datasource', 'module.js'), 'text/javascript'],
    '/plugin/panel/module.js': [join(PLUGIN, 'dist', 'panel', 'module.js'), 'text/javascript'],
  };
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith(PROXY + '/')) {
      // Grafana's datasource proxy: the path after the prefix goes to the datasource URL.
      proxied.push(`${req.method} ${url.slice(PROXY.length)}`);
      const target = new URL(url.slice(PROXY.length), bridgeUrl);
      const up = httpRequest(target, { method: req.method, headers: { 'content-type': req.headers['content-type'] ?? 'application/json' } }, (ur) => {
        res.writeHead(ur.statusCode ?? 502, { 'content-type': ur.headers['content-type'] ?? 'application/json' });
        ur.pipe(res);
      });
      up.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: String(e) }));
      });
      req.pipe(up);
      return;
    }
    const f = files[url.split('?')[0]];
    if (!f || !existsSync(f[0])) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': f[1] });
    res.end(readFileSync(f[0]));
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done([server, `http://127.0.0.1:${(server.address() as { port: number }).port}`]))
  );
}

export async function startHarness(simArgs?: string[], bridgeArgs?: string[]): Promise<Harness> {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} missing: scripts/deps.sh installs Debian's chromium`);
  const live = await startLive(simArgs, bridgeArgs);
  const proxied: string[] = [];
  const [server, base] = await serve(live.bridgeUrl, proxied);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    base,
    browser,
    live,
    proxied,
    async stop() {
      await browser.close();
      await new Promise((r) => server.close(r));
      await live.stop();
    },
  };
}

/** Opens the harness page at path and waits until it is up. */
export async function openHarness(h: Harness, path: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await h.browser.newPage({ viewport });
  await page.goto(h.base + path);
  await page.waitForFunction(() => (window as unknown as { harness?: { ready: boolean } }).harness?.ready === true, null, { timeout: 30000 });
  return page;
}
