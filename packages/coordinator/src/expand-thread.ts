// The coordinator's grid-expansion task (see keys.ts), run on a Piscina thread:
// resolves a sweep's cells and hashes their task keys, and streams the keys
// back in batches, so a big submit's main thread only writes rows.
import type { MessagePort } from 'node:worker_threads';
import { expandSweep, type SweepDefinition } from '@sdpo/protocol/grid';
import type { ExpandReply } from './keys.js';

/** Keys per message: 128 KiB of keys, a few ms of work. */
const BATCH = 4096;

export default function expand(task: { def: SweepDefinition; simVersion: string; port: MessagePort } | { warmUp: true }): void {
  // Only starts the thread (and loads this module) for later submits.
  if ('warmUp' in task) return;
  const { def, simVersion, port } = task;
  const post = (reply: ExpandReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
  try {
    let keys = Buffer.allocUnsafeSlow(BATCH * 32);
    let n = 0;
    // expandSweep yields the cells in grid order, index 0 first: a key's place in the stream is its index.
    for (const cell of expandSweep(def, simVersion)) {
      keys.write(cell.key, n * 32, 'hex');
      if (++n === BATCH) {
        post({ keys: keys.buffer as ArrayBuffer, count: n }, [keys.buffer as ArrayBuffer]);
        keys = Buffer.allocUnsafeSlow(BATCH * 32);
        n = 0;
      }
    }
    if (n > 0) post({ keys: keys.buffer as ArrayBuffer, count: n }, [keys.buffer as ArrayBuffer]);
    post({ done: true });
  } catch (err) {
    const e = err as Error & { code?: string; issues?: unknown };
    post({ error: { name: e.name, code: e.code, message: e.message, issues: e.issues } });
  }
}
