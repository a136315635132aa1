// Starts tspsim and tsp-bridge on free ports for the tests that need a live
// bridge, and stops them. Binaries: $TSPB_BRIDGE / $TSPB_TSPSIM, else the
// repository's build/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { from, type Observable } from 'rxjs';
import type { FetchOptions, FetchResult } from '../src/datasource/datasource';

export const REPO = resolve(__dirname, '..', '..', '..');

export interface Live {
  bridgeUrl: string;
  stop(): Promise<void>;
}

function binary(env: string, rel: string): string {
  const p = process.env[env] ? resolve(REPO, process.env[env]!) : join(REPO, rel);
  if (!existsSync(p)) {
    throw new Error(`${p} is missing: run make first (or set ${env})`);
  }
  return p;
}

async function portOf(file: string, child: ChildProcess, what: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) {
      throw new Error(`${what} exited with ${child.exitCode}`);
    }
    if (existsSync(file)) {
      const s = readFileSync(file, 'utf8');
      if (s.endsWith('\n')) {
        return Number(s.trim());
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${what} did not start in 5 s`);
}

function stopChild(c: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (c.exitCode !== null || c.signalCode !== null) {
      done();
      return;
    }
    c.once('exit', () => done());
    c.kill('SIGTERM');
  });
}

/**
 * tspsim (answers COMPLETED at once unless told otherwise) and a bridge on
 * it; with `servers`, that many tspsim (seeds 1, 2, ...) behind one bridge as
 * upstreams a, b, c, ...
 */
export async function startLive(
  simArgs: string[] = ['--running-polls', '0'],
  bridgeArgs: string[] = [],
  servers = 0
): Promise<Live> {
  const dir = mkdtempSync(join(tmpdir(), 'tspb-plugin-'));
  const n = Math.max(servers, 1);
  const sims: ChildProcess[] = [];
  let bridge: ChildProcess | undefined;
  const stopAll = async () => {
    if (bridge) {
      await stopChild(bridge);
    }
    for (const s of sims) {
      await stopChild(s);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const upstreams: string[] = [];
    for (let i = 0; i < n; i++) {
      const file = join(dir, `sim${i}.port`);
      const seed = servers ? ['--seed', String(i + 1)] : [];
      const sim = spawn(binary('TSPB_TSPSIM', 'build/tspsim'), ['--port', '0', '--port-file', file, '--quiet', ...seed, ...simArgs], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      sims.push(sim);
      const url = `http://127.0.0.1:${await portOf(file, sim, 'tspsim')}/tsp/api`;
      upstreams.push('--upstream', servers ? `${String.fromCharCode(97 + i)}=${url}` : url);
    }
    bridge = spawn(
      binary('TSPB_BRIDGE', 'build/tsp-bridge'),
      [...upstreams, '--port', '0', '--port-file', join(dir, 'bridge.port'), '--log-level', 'warn', ...bridgeArgs],
      { stdio: ['ignore', 'ignore', 'inherit'] }
    );
    const port = await portOf(join(dir, 'bridge.port'), bridge, 'tsp-bridge');
    return { bridgeUrl: `http://127.0.0.1:${port}`, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Grafana's backendSrv.fetch through the datasource proxy path `proxy`, as node's fetch to the bridge. */
export function proxyFetch(live: () => Live, proxy: string) {
  return function nodeFetch<T>(o: FetchOptions): Observable<FetchResult<T>> {
    const url = live().bridgeUrl + o.url.slice(proxy.length);
    return from(
      fetch(url, {
        method: o.method,
        headers: o.data !== undefined ? { 'content-type': 'application/json' } : undefined,
        body: o.data !== undefined ? JSON.stringify(o.data) : undefined,
      }).then(async (r) => {
        const text = await r.text();
        const data = text ? JSON.parse(text) : undefined;
        if (!r.ok) {
          throw { status: r.status, statusText: r.statusText, data };
        }
        return { data: data as T, status: r.status };
      })
    );
  };
}
