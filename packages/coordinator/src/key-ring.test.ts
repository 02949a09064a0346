import { createHash } from 'node:crypto';
import test from 'ava';
import { Piscina } from 'piscina';
import { KeyRing, RING_KEYS } from './key-ring.js';

const keyOf = (i: number) => createHash('sha256').update(String(i)).digest('hex');

test('keys come out of the ring in the order they went in, past its end, and only once published', (t) => {
  const producer = new KeyRing();
  const consumer = new KeyRing(producer.buffer);
  t.is(producer.space(), RING_KEYS);
  const n = RING_KEYS + RING_KEYS / 2;
  let next = 0;
  let taken = 0;
  for (let round = 0; taken < n; round++) {
    while (next < n && producer.space() > 0) producer.put(keyOf(next++));
    // Put but not published: the consumer sees nothing yet.
    t.is(consumer.take(), null);
    if (next === n) producer.finish();
    else producer.publish();
    t.true(consumer.waitFor(1, () => false));
    for (let k; (k = consumer.take());) t.is(k.toString('hex'), keyOf(taken++));
    consumer.release();
    t.true(round < 3);
  }
  t.is(taken, n);
  // Every key taken after the end: undefined, not null.
  t.is(consumer.take(), undefined);
  t.is(producer.space(), RING_KEYS);
});

test('a full ring has no space until the consumer releases what it took', (t) => {
  const producer = new KeyRing();
  const consumer = new KeyRing(producer.buffer);
  for (let i = 0; i < RING_KEYS; i++) producer.put(keyOf(i));
  producer.publish();
  t.is(producer.space(), 0);
  t.true(consumer.waitFor(RING_KEYS, () => false));
  for (let i = 0; i < 100; i++) consumer.take();
  // The consumer gives slots back every 1,024 keys on its own; before that, only when it releases.
  t.is(producer.space(), 0);
  consumer.release();
  t.is(producer.space(), 100);
});

test('an aborted ring ends the consumer\'s wait, and a stop does too', (t) => {
  const producer = new KeyRing();
  const consumer = new KeyRing(producer.buffer);
  producer.put(keyOf(0));
  producer.publish();
  // Fewer keys than asked for, and no end: it would wait; a stop ends the wait.
  let asked = 0;
  t.false(consumer.waitFor(2, () => ++asked > 2));
  t.false(consumer.aborted());
  producer.abort();
  t.true(consumer.aborted());
  t.false(consumer.waitFor(1, () => false));
});

test('a consumer on another thread takes every key a producer here puts, waiting on each other through a full ring', async (t) => {
  const n = 5 * RING_KEYS + 123;
  const producer = new KeyRing();
  // The consumer thread hashes what it took, in order, and reports the digest and the count.
  const pool = new Piscina({ filename: new URL('./key-ring.fixture.ts', import.meta.url).href, maxThreads: 1 });
  t.teardown(() => pool.destroy());
  const reply = pool.run(producer.buffer) as Promise<{ count: number; digest: string }>;
  const expected = createHash('sha256');
  let waits = 0;
  for (let i = 0; i < n; ) {
    if (producer.space() === 0) {
      producer.publish();
      waits++;
      await producer.taken(1000);
      continue;
    }
    const key = keyOf(i++);
    producer.put(key);
    expected.update(Buffer.from(key, 'hex'));
  }
  producer.finish();
  const got = await reply;
  t.is(got.count, n);
  t.is(got.digest, expected.digest('hex'));
  t.true(waits >= 4, `the producer waited for space ${waits} times`);
});
