// Starts tspsim and tsp-bridge on free ports for the tests that need a live
// bridge, and stops them. Binaries: $TSPB_BRIDGE / $TSPB_TSPSIM, else the
// repository's build/.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

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

/** tspsim (answers COMPLETED at once unless told otherwise) and a bridge on it. */
export async function startLive(simArgs: string[] = ['--running-polls', '0'], bridgeArgs: string[] = []): Promise<Live> {
  const dir = mkdtempSync(join(tmpdir(), 'tspb-plugin-'));
  const sim = spawn(binary('TSPB_TSPSIM', 'build/tspsim'), ['--port', '0', '--port-file', join(dir, 'sim.port'), '--quiet', ...simArgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let bridge: ChildProcess | undefined;
  try {
    const simPort = await portOf(join(dir, 'sim.port'), sim, 'tspsim');
    bridge = spawn(
      binary('TSPB_BRIDGE', 'build/tsp-bridge'),
      ['--upstream', `http://127.0.0.1:${simPort}/tsp/api`, '--port', '0', '--port-file', join(dir, 'bridge.port'), '--log-level', 'warn', ...bridgeArgs],
      { stdio: ['ignore', 'ignore', 'inherit'] }
    );
    const port = await portOf(join(dir, 'bridge.port'), bridge, 'tsp-bridge');
    const b = bridge;
    return {
      bridgeUrl: `http://127.0.0.1:${port}`,
      async stop() {
        await stopChild(b);
        await stopChild(sim);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (bridge) {
      await stopChild(bridge);
    }
    await stopChild(sim);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
