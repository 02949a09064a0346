/**
 * The WebAssembly kernels (kernels.wat, assembled by tools/gen-wasm.ts) and the memory they
 * work in. A run's state is carved from this memory when there is room (see {@link Arena}), so
 * a kernel reads and writes the state's typed arrays in place, by byte offset. Kernels repeat the
 * JavaScript code's IEEE operations in the same order, so results are bit-identical either way;
 * without WebAssembly (or SIMD), or for state outside this memory, the JavaScript code runs.
 */
import { KERNELS_WASM_HEX } from './kernels-wasm.js';
import { EXP_T, EXP_TAIL, POW2 } from './libm.js';

// The few WebAssembly declarations used here: the package compiles without DOM or Node types.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: object) => { readonly exports: Record<string, unknown> };
};

interface Memory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** The kernels' exports (kernels.wat documents each). */
export interface Kernels {
  readonly memory: Memory;
  readonly adam: (
    theta: number, grad: number, m: number, v: number, teacher: number, V: number, T: number,
    a: number, ic2: number, emaRate: number, hasTeacher: number,
  ) => void;
  /** libm.ts `exp`, bit for bit. */
  readonly exp: (x: number) => number;
  /** Math.log, bit for bit. */
  readonly log: (x: number) => number;
  /** divergence.ts `softmaxRow` of the row at l (byte offsets) into p and lp. */
  readonly softmax: (l: number, p: number, lp: number, V: number) => void;
  /** methods.ts `reverseKlRows` (pointers to the arrays it reads and writes; see kernels.wat). */
  readonly reverseKl: (
    seqs: number, peer: number, rho: number, own: number, rowN: number, rowC: number, rowD: number, rowMass: number,
    touched: number, eDemo: number, pi: number, lp: number, tLogits: number, tp: number, tlp: number, tStamp: number,
    tVersion: number, grad: number, adv: number, G: number, T: number, V: number, kappa: number,
  ) => number;
  /** methods.ts `shiftedRows`: sdpoGradient for JSD (`jsd` 1) and forward KL (0); pointers as for `reverseKl`. */
  readonly divergenceRows: (
    seqs: number, peer: number, rho: number, own: number, pi: number, lp: number, tLogits: number, tp: number, tlp: number,
    tStamp: number, tVersion: number, q: number, logQ: number, ell: number, shifts: number, grad: number, adv: number, G: number, T: number,
    V: number, kappa: number, beta: number, jsd: number,
  ) => number;
}

/** Byte offsets of exp's tables in the kernels' memory (kernels.wat), and the start of the run states after them. */
const EXP_T_AT = 0;
const EXP_TAIL_AT = 1024;
const POW2_AT = 2048;
const HEAP_BASE = POW2_AT + 8 * POW2.length + 112;

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function load(): Kernels | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(hexBytes(KERNELS_WASM_HEX)), { m: { log: Math.log } });
    const k = instance.exports as unknown as Kernels;
    const buf = k.memory.buffer;
    new Float64Array(buf, EXP_T_AT, EXP_T.length).set(EXP_T);
    new Float64Array(buf, EXP_TAIL_AT, EXP_TAIL.length).set(EXP_TAIL);
    new Float64Array(buf, POW2_AT, POW2.length).set(POW2);
    return k;
  } catch {
    return null; // no WebAssembly or no SIMD here: the JavaScript code runs
  }
}

/** The kernels of this thread, or null where WebAssembly is unavailable. */
export const kernels: Kernels | null = load();

/** Whether this thread runs the WebAssembly kernels (false: WebAssembly or its SIMD is unavailable here). */
export const wasmKernelsLoaded = kernels !== null;

const PAGE = 65536;
/** Regions handed out so far end here; below it, freed regions wait by size for reuse. */
let top = HEAP_BASE;
let live = 0;
const freed = new Map<number, number[]>();

/**
 * The current buffer of the kernels' memory. It changes only when the memory grows, which
 * happens only while no region is live (growing detaches every view of the old buffer).
 */
export let kernelBuffer: ArrayBuffer | null = kernels ? kernels.memory.buffer : null;

/**
 * Byte offset of `bytes` zeroed bytes (a multiple of 8) in the kernels' memory, or -1 when there
 * is no room without growing the memory under live views (or no WebAssembly): the caller then
 * uses an ordinary ArrayBuffer.
 */
export function allocRegion(bytes: number): number {
  if (kernels === null) return -1;
  const list = freed.get(bytes);
  if (list !== undefined && list.length > 0) {
    const off = list.pop()!;
    new Uint8Array(kernelBuffer!, off, bytes).fill(0);
    live++;
    return off;
  }
  if (live === 0) {
    // Nothing in use: start over, so freed regions of other sizes do not accumulate.
    freed.clear();
    top = HEAP_BASE;
    const have = kernels.memory.buffer.byteLength - HEAP_BASE;
    if (bytes > have) {
      try {
        kernels.memory.grow(Math.ceil((bytes - have) / PAGE));
      } catch {
        return -1; // the engine refused the memory: an ordinary buffer will do
      }
      kernelBuffer = kernels.memory.buffer;
    }
  }
  if (top + bytes > kernelBuffer!.byteLength) return -1;
  const off = top;
  top += bytes;
  live++;
  // Memory past `top` has not been handed out since the last restart, but may hold old data.
  new Uint8Array(kernelBuffer!, off, bytes).fill(0);
  return off;
}

/** Hands a region back; every view of it must be dead. */
export function freeRegion(offset: number, bytes: number): void {
  live--;
  const list = freed.get(bytes);
  if (list === undefined) freed.set(bytes, [offset]);
  else list.push(offset);
}
