#!/usr/bin/env node
// The README's test command: module-boundary lint, type-check of code and
// tests, then every ava test. Prints one closing line `N passed, N failed`
// (lint and type-check count as one check each) and exits non-zero on any failure.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' };
const extra = process.argv.slice(2);

function run(cmd, args, onLine) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    createInterface({ input: child.stdout }).on('line', (line) => {
      process.stdout.write(line + '\n');
      onLine?.(line);
    });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let passed = 0;
let failed = 0;
const check = async (title, cmd, args) => {
  console.log(`# ${title}: ${cmd} ${args.join(' ')}`);
  const code = await run(cmd, args);
  if (code === 0) passed++;
  else { failed++; console.log(`not ok - ${title} (exit ${code})`); }
};

if (extra.length === 0) {
  // Nx's boundary rule reads the cached project graph; compute it first.
  await check('project graph', 'npx', ['nx', 'show', 'projects']);
  await check('lint (package boundaries)', 'npx', ['eslint', '--max-warnings', '0', 'packages', 'tools', 'test']);
  await check('type-check (code and tests)', 'npx', ['tsc', '-p', 'tsconfig.check.json']);
}

let avaPassed = 0;
let avaFailed = 0;
let avaPlanned = -1;
console.log('# ava');
const avaCode = await run('npx', ['ava', '--tap', ...extra], (line) => {
  if (/^ok \d+/.test(line) && !/# SKIP/.test(line)) avaPassed++;
  else if (/^not ok \d+/.test(line)) avaFailed++;
  const m = /^1\.\.(\d+)/.exec(line);
  if (m) avaPlanned = Number(m[1]);
});
// A crash (uncaught exception, timeout) can end ava without a `not ok` line.
if (avaCode !== 0 && avaFailed === 0) avaFailed = 1;
if (avaPlanned >= 0 && avaPassed + avaFailed < avaPlanned) avaFailed += avaPlanned - avaPassed - avaFailed;
passed += avaPassed;
failed += avaFailed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && avaCode === 0 ? 0 : 1);
