import { FEEDBACKS, METHODS, RUN_FIELDS, type RunConfigInput } from './config.js';

/** A value an axis may take: any JSON value a run field accepts. */
export type AxisValue = number | string | boolean | null | { readonly [k: string]: AxisValue } | readonly AxisValue[];

/** A grid: axes crossed with each other, `fixed` fields applied to every run. */
export interface GridSpec {
  readonly axes: Readonly<Record<string, readonly AxisValue[]>>;
  readonly fixed?: Readonly<Record<string, AxisValue>>;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** The study presets of spec §9, as data. */
export const PRESETS = {
  default: {
    axes: { seed: range(0, 30), method: [...METHODS], feedback: [...FEEDBACKS], noise: [0, 0.05, 0.1, 0.2, 0.3, 0.5] },
  },
  smoke: {
    axes: { seed: range(0, 3), method: ['reinforce', 'sdpo'], feedback: ['continuous', 'binary'], noise: [0, 0.2] },
    fixed: { steps: 30 },
  },
  sensitivity: {
    axes: {
      seed: range(0, 30), method: [...METHODS], feedback: [...FEEDBACKS], noise: [0.1],
      // ln(V − 1) with the default V = 8: the same number the default κ resolves to.
      kappa: [0.5, 1, Math.log(7), 4, 8],
      lr: [0.01, 0.03, 0.1, 0.3],
    },
  },
  robustness: {
    axes: { seed: range(0, 1000), method: [...METHODS], feedback: [...FEEDBACKS], noise: [0, 0.05, 0.1, 0.2, 0.3, 0.5] },
  },
} as const satisfies Record<string, GridSpec>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/**
 * Canonical axis order: `seed` first (seed-major, so paired comparisons are
 * complete early), then the run fields in {@link RUN_FIELDS} order. Axes that
 * are not run fields go last, by name, so the caller's validation sees them.
 */
export function axisOrder(names: readonly string[]): string[] {
  const rank = (n: string): number => {
    const i = (RUN_FIELDS as readonly string[]).indexOf(n);
    return i < 0 ? RUN_FIELDS.length : i;
  };
  return [...names].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Number of runs a grid expands to. */
export function gridSize(grid: GridSpec): number {
  return Object.values(grid.axes).reduce((n, values) => n * values.length, 1);
}

/**
 * Expands a grid into run config inputs, seed-major and deterministic; the
 * last axis in {@link axisOrder} varies fastest. Values are not validated
 * here: pass each through `parseRunConfig`.
 */
export function* iterateGrid(grid: GridSpec): Generator<Record<string, AxisValue>> {
  const names = axisOrder(Object.keys(grid.axes));
  const lists = names.map((n) => grid.axes[n] ?? []);
  if (lists.some((l) => l.length === 0)) return;
  const idx = new Array<number>(names.length).fill(0);
  for (;;) {
    const run: Record<string, AxisValue> = { ...(grid.fixed ?? {}) };
    for (let a = 0; a < names.length; a++) run[names[a]!] = lists[a]![idx[a]!]!;
    yield run;
    let a = names.length - 1;
    while (a >= 0) {
      idx[a]!++;
      if (idx[a]! < lists[a]!.length) break;
      idx[a] = 0;
      a--;
    }
    if (a < 0) return;
  }
}

/** Expands a preset into its run config inputs (seed-major). */
export function expandPreset(name: PresetName): RunConfigInput[] {
  return [...iterateGrid(PRESETS[name])] as RunConfigInput[];
}
