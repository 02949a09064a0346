import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createSweepClient, gridToWire, parseGridData } from '@sdpo/protocol';
import { spawnSdpo, waitOutput } from './bench-sweep-helpers.js';
const dir = mkdtempSync(join(tmpdir(), 'st-'));
const coord = spawnSdpo(['coordinator', '--listen', '127.0.0.1:0', '--store', join(dir, 's.db')]);
const [, address] = await waitOutput(coord, /listening on (\S+)/);
const c = createSweepClient(address!);
await c.submit(gridToWire(parseGridData({ name: 'x', axes: { seed: [0,1,2], method: ['sdpo'], feedback: ['binary'], noise: [0] }, fixed: {} })));
const lat: number[] = [];
for (let i = 0; i < 50; i++) { const s = performance.now(); await c.list(); lat.push(performance.now() - s); }
lat.sort((a,b)=>a-b); console.log('list p50', lat[25]!.toFixed(2), 'max', lat[49]!.toFixed(2));
const lat2: number[] = [];
for (let i = 0; i < 50; i++) { const s = performance.now(); await c.get('x'); lat2.push(performance.now() - s); }
lat2.sort((a,b)=>a-b); console.log('get p50', lat2[25]!.toFixed(2));
c.close(); coord.kill(); process.exit(0);
