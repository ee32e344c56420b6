// Builds the app, serves it on 127.0.0.1 with `vite preview`, and opens it in the machine's
// headless Chromium with WebGPU on SwiftShader (../shared/TESTING.md: exactly these flags, a fresh
// profile each time). Shared by the end-to-end tests and bench/browser-toy.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const REPO = resolve(import.meta.dirname, '../..');
const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
];

const VITE = join(REPO, 'node_modules/.bin/vite');

function run(cmd: string, args: string[], what: string): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${what} failed (exit ${code}):\n${out.slice(-4000)}`))));
  });
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the preview server exited with ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export interface Served {
  url: string;
  stop(): Promise<void>;
}

/** `vite build` into a private folder (so concurrent runs never share dist/), then `vite preview` on a free port. */
export async function buildAndServe(): Promise<Served> {
  const outDir = mkdtempSync(join(tmpdir(), 'gatlab-dist-'));
  await run(VITE, ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], 'vite build');
  const port = await freePort();
  const child = spawn(VITE, ['preview', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: REPO,
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForHttp(url, child, 30_000);
  } catch (e) {
    child.kill();
    throw e;
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * The machine's Chromium with exactly CHROMIUM_FLAGS (or the flags given) and a fresh profile.
 * Every page load is a first visit, with no run saved in IndexedDB by an earlier test, unless
 * `savedRuns` is 'keep' (for the tests of saving and restoring runs).
 */
export async function launchBrowser(flags: string[] = CHROMIUM_FLAGS, savedRuns: 'keep' | 'forget' = 'forget'): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'gatlab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: flags,
    viewport: { width: 1480, height: 1000 },
    deviceScaleFactor: 1,
  });
  // Runs before the page's own scripts; IndexedDB opens wait for the deletion.
  if (savedRuns === 'forget') await context.addInitScript(() => indexedDB.deleteDatabase('gat-lab'));
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
