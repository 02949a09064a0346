/**
 * A minimal headless-Chromium driver for the report tests: the DevTools
 * protocol over `--remote-debugging-pipe` (NUL-delimited JSON on fds 3 and 4),
 * so there is no port, no WebSocket and no new dependency.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { inflateSync } from 'node:zlib';

/** The Chromium binary, or a message saying how to get one. */
export function findChromium(): { ok: true; path: string } | { ok: false; message: string } {
  for (const name of [process.env['CHROMIUM'], 'chromium', 'chromium-browser', 'google-chrome']) {
    if (!name) continue;
    const r = spawnSync('sh', ['-c', `command -v "${name}"`], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim() !== '') return { ok: true, path: r.stdout.trim() };
  }
  return {
    ok: false,
    message: 'headless Chromium is required for the report browser test and was not found: install it (Debian: `apt-get install -y chromium`; .ci/run does this) or set CHROMIUM=/path/to/chrome',
  };
}

/** What the page did while loading. */
export interface PageVisit {
  /** console.error/console.warn calls, uncaught exceptions, and browser log entries of level error/warning (failed loads, CSP violations). */
  readonly problems: string[];
  /** Every console API call, for diagnosis. */
  readonly console: string[];
  /** The value of `evaluate` in the loaded page. */
  readonly evaluated: unknown;
  /** Full-page screenshot, PNG bytes. */
  readonly png: Buffer;
}

interface Pending {
  resolve: (v: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((method: string, params: Record<string, unknown>, sessionId?: string) => void)[] = [];
  private buffer = '';

  constructor(
    private readonly input: Writable,
    output: Readable,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      this.buffer += chunk;
      let i: number;
      while ((i = this.buffer.indexOf('\0')) >= 0) {
        const msg = JSON.parse(this.buffer.slice(0, i)) as { id?: number; result?: Record<string, unknown>; error?: { message: string }; method?: string; params?: Record<string, unknown>; sessionId?: string };
        this.buffer = this.buffer.slice(i + 1);
        if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) p?.reject(new Error(`CDP: ${msg.error.message}`));
          else p?.resolve(msg.result ?? {});
        } else if (msg.method) {
          for (const l of this.listeners) l(msg.method, msg.params ?? {}, msg.sessionId);
        }
      }
    });
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.input.write(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }) + '\0');
    });
  }

  on(l: (method: string, params: Record<string, unknown>, sessionId?: string) => void): void {
    this.listeners.push(l);
  }

  failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

const deadline = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });

/**
 * Opens `url` in a fresh headless Chromium (own profile in a temp dir),
 * waits for the load event, evaluates `expression`, takes a full-page
 * screenshot at `width` CSS pixels and closes the browser.
 */
export async function visitPage(chromium: string, url: string, expression: string, width = 1200, timeoutMs = 25_000): Promise<PageVisit> {
  const profile = mkdtempSync(join(tmpdir(), 'sdpo-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-extensions', '--hide-scrollbars', '--mute-audio',
    `--user-data-dir=${profile}`, '--remote-debugging-pipe', 'about:blank',
  ];
  // Its own process group, so the renderer and helper processes it forks can
  // be ended with it (by the group id of the process started here).
  const child: ChildProcess = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cdp = new Cdp(child.stdio[3] as Writable, child.stdio[4] as Readable);
  child.once('exit', (code, signal) => cdp.failAll(new Error(`chromium exited early (code ${code}, signal ${signal})`)));
  const problems: string[] = [];
  const consoleLines: string[] = [];
  let loaded: () => void = () => undefined;
  const loadEvent = new Promise<void>((resolve) => (loaded = resolve));
  cdp.on((method, params) => {
    if (method === 'Runtime.consoleAPICalled') {
      const text = ((params['args'] as { value?: unknown; description?: string }[]) ?? []).map((a) => String(a.value ?? a.description ?? '')).join(' ');
      consoleLines.push(`${String(params['type'])}: ${text}`);
      if (params['type'] === 'error' || params['type'] === 'warning' || params['type'] === 'assert') problems.push(`console.${String(params['type'])}: ${text}`);
    } else if (method === 'Runtime.exceptionThrown') {
      const d = params['exceptionDetails'] as { text?: string; exception?: { description?: string } };
      problems.push(`uncaught: ${d.exception?.description ?? d.text ?? 'exception'}`);
    } else if (method === 'Log.entryAdded') {
      const e = params['entry'] as { level: string; text: string; url?: string };
      if (e.level === 'error' || e.level === 'warning') problems.push(`log ${e.level}: ${e.text}${e.url ? ` (${e.url})` : ''}`);
    } else if (method === 'Page.loadEventFired') {
      loaded();
    }
  });
  try {
    const run = async (): Promise<PageVisit> => {
      const { targetId } = (await cdp.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
      const { sessionId } = (await cdp.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
      for (const d of ['Page.enable', 'Runtime.enable', 'Log.enable']) await cdp.send(d, {}, sessionId);
      await cdp.send('Emulation.setDeviceMetricsOverride', { width, height: 900, deviceScaleFactor: 1, mobile: false }, sessionId);
      await cdp.send('Page.navigate', { url }, sessionId);
      await loadEvent;
      const ev = (await cdp.send('Runtime.evaluate', { expression, returnByValue: true }, sessionId)) as { result: { value?: unknown }; exceptionDetails?: { text: string } };
      if (ev.exceptionDetails) throw new Error(`evaluate failed: ${ev.exceptionDetails.text}`);
      const shot = (await cdp.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId)) as { data: string };
      await cdp.send('Browser.close').catch(() => undefined);
      return { problems, console: consoleLines, evaluated: ev.result.value, png: Buffer.from(shot.data, 'base64') };
    };
    return await deadline(run(), timeoutMs, `chromium to load ${url}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone: every helper exited with the browser.
      }
    }
    // Helpers may still be flushing into the profile as they die; retry, and
    // never fail a test over a temp dir.
    try {
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    } catch {
      /* left in the OS temp dir */
    }
  }
}

/** Decoded PNG pixels (8-bit RGB or RGBA, non-interlaced: what Chromium writes). */
export interface Pixels {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/** Decodes the PNGs Chromium's screenshots produce; throws on any other kind. */
export function decodePng(png: Buffer): Pixels {
  if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('latin1', pos + 4, pos + 8);
    const body = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const color = body[9];
      const interlace = body[12];
      if (depth !== 8 || interlace !== 0 || (color !== 2 && color !== 6)) throw new Error(`unsupported PNG (depth ${depth}, color type ${color}, interlace ${interlace})`);
      channels = color === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(body);
    }
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const dst = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[dst + x - channels]! : 0;
      const b = y > 0 ? out[dst - stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[dst - stride + x - channels]! : 0;
      let v = raw[src + x]!;
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[dst + x] = v & 0xff;
    }
  }
  return { width, height, channels, data: out };
}

/** Distinct RGB colors and the fraction of pixels that are not (near) white. */
export function pixelStats(p: Pixels): { colors: number; inked: number } {
  const colors = new Set<number>();
  let inked = 0;
  const n = p.width * p.height;
  for (let i = 0; i < n; i++) {
    const r = p.data[i * p.channels]!;
    const g = p.data[i * p.channels + 1]!;
    const b = p.data[i * p.channels + 2]!;
    colors.add((r << 16) | (g << 8) | b);
    if (r < 235 || g < 235 || b < 235) inked++;
  }
  return { colors: colors.size, inked: inked / n };
}
