// A Piscina task for key-ring.test.ts, the consumer on another thread: takes every key
// of the ring, hashing them in order, and reports the digest and how many there were.
import { createHash } from 'node:crypto';
import { KeyRing } from './key-ring.js';

export default function consume(buffer: SharedArrayBuffer): { count: number; digest: string } {
  const ring = new KeyRing(buffer);
  const h = createHash('sha256');
  let count = 0;
  while (ring.waitFor(1000, () => false)) {
    let k: Buffer | null | undefined;
    while ((k = ring.take())) {
      h.update(k);
      count++;
    }
    ring.release();
    if (k === undefined) break;
  }
  return { count, digest: h.digest('hex') };
}
