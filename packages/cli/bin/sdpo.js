#!/usr/bin/env node
// Workspace bin: runs the built CLI (`npm ci` builds it through the root `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const built = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(built))) {
  process.stderr.write('sdpo: the CLI is not built yet; run `npm run build` (npm ci does it for you)\n');
  process.exit(2);
}
await import(built.href);
