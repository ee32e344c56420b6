// The `gatlab` command as a user runs it: a child process (WebGPU in Node), its exit code and output.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_DIR } from './paths';

export function gatlab(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_DIR, 'bin/gatlab.mjs'), ...args], {
    cwd: REPO_DIR,
    env: { ...process.env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command that must succeed; its stdout. */
export function ok(...args: string[]): string {
  const r = gatlab(...args);
  if (r.status !== 0) throw new Error(`gatlab ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

/** A command that must fail as bad input: exit code 2 and one line on stderr, no stack trace. */
export function inputError(...args: string[]): string {
  const r = gatlab(...args);
  expect(r.status, `gatlab ${args.join(' ')}: ${r.stderr}`).toBe(2);
  const text = r.stderr.trim();
  expect(text.split('\n'), text).toHaveLength(1);
  expect(text).toMatch(/^gatlab \w+: /);
  expect(text).not.toMatch(/\bat .*:\d+:\d+/);
  return text;
}
