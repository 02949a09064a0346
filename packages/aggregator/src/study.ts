/**
 * Groups runs into cells: method × feedback × noise × every other config
 * field that varies WITHIN some (method, feedback, noise) group. The
 * "within" matters: `divergence: auto` resolves to reverse-kl for critique and
 * jsd otherwise, which differs across channels but is not an axis of its own.
 */
import type { AnalysisWarning, AxisLevel, CellKey, StudyRun } from './types.js';

/** Config fields other than seed/method/feedback/noise that may form axes, in canonical order. */
export const EXTRA_FIELDS = [
  'vocab', 'length', 'group', 'steps', 'lr', 'kappa', 'emaRate', 'divergence', 'jsdBeta', 'weights', 'binaryQuantile', 'hybrid', 'evalEvery',
] as const;
type ExtraField = (typeof EXTRA_FIELDS)[number];

/** Canonical method and channel order (sim spec §1); unknown names sort after, alphabetically. */
export const METHOD_ORDER = ['reinforce', 'rloo', 'grpo', 'sdpo', 'hybrid', 'hint-reinforce', 'oracle'];
export const FEEDBACK_ORDER = ['critique', 'continuous', 'ordinal', 'binary'];

export function orderBy(order: readonly string[]): (a: string, b: string) => number {
  return (a, b) => {
    const ia = order.indexOf(a);
    const ib = order.indexOf(b);
    const ra = ia < 0 ? order.length : ia;
    const rb = ib < 0 ? order.length : ib;
    return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
  };
}

function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

/** The level of an extra field in a run; objects become canonical JSON; absent fields are undefined. */
export function levelOf(run: StudyRun, field: string): AxisLevel | undefined {
  const v = (run.config as unknown as Record<string, unknown>)[field];
  if (v === undefined) return undefined;
  if (typeof v === 'number' || typeof v === 'string') return v;
  return canonicalJson(v);
}

export function compareLevels(a: AxisLevel, b: AxisLevel): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function fmtLevel(v: AxisLevel): string {
  return typeof v === 'number' ? String(v) : v;
}

/** `feedback|noise|k=v|…`: a cell without its method. */
export function contextId(feedback: string, noise: number, axes: Readonly<Record<string, AxisLevel>>): string {
  const extra = Object.keys(axes).map((k) => `|${k}=${fmtLevel(axes[k]!)}`).join('');
  return `${feedback}|${noise}${extra}`;
}

export function cellIdOf(key: CellKey): string {
  return `${key.method}|${contextId(key.feedback, key.noise, key.axes)}`;
}

/** A cell's runs, sorted by seed, one per seed. */
export interface CellGroup {
  readonly id: string;
  readonly contextId: string;
  readonly key: CellKey;
  readonly runs: readonly StudyRun[];
  readonly seeds: readonly number[];
  readonly bySeed: ReadonlyMap<number, StudyRun>;
}

export interface StudyIndex {
  readonly axisNames: readonly ExtraField[];
  readonly axisLevels: ReadonlyMap<string, readonly AxisLevel[]>;
  readonly methods: readonly string[];
  readonly feedbacks: readonly string[];
  readonly noises: readonly number[];
  readonly seeds: readonly number[];
  /** Cells in canonical order. */
  readonly cells: readonly CellGroup[];
  readonly byId: ReadonlyMap<string, CellGroup>;
  /** Cell lookup: method → context id → cell. */
  readonly byMethodContext: ReadonlyMap<string, ReadonlyMap<string, CellGroup>>;
  readonly warnings: AnalysisWarning[];
}

/** Builds the cell index. Duplicate (cell, seed) runs keep the first and warn. */
export function indexStudy(runs: readonly StudyRun[]): StudyIndex {
  const warnings: AnalysisWarning[] = [];
  // 1. Which extra fields vary within a (method, feedback, noise) group?
  const firstLevel = new Map<string, Map<ExtraField, string>>();
  const axisSet = new Set<ExtraField>();
  for (const run of runs) {
    const g = `${run.config.method}|${run.config.feedback}|${run.config.noise}`;
    let m = firstLevel.get(g);
    if (m === undefined) {
      m = new Map();
      firstLevel.set(g, m);
    }
    for (const f of EXTRA_FIELDS) {
      if (axisSet.has(f)) continue;
      const lv = levelOf(run, f);
      const s = lv === undefined ? '\u0000' : typeof lv === 'number' ? `n${lv}` : `s${lv}`;
      const prev = m.get(f);
      if (prev === undefined) m.set(f, s);
      else if (prev !== s) axisSet.add(f);
    }
  }
  const axisNames = EXTRA_FIELDS.filter((f) => axisSet.has(f));
  const levelSets = new Map<string, Map<string, AxisLevel>>(axisNames.map((a) => [a, new Map()]));

  // 2. Group into cells.
  const groups = new Map<string, { key: CellKey; ctx: string; bySeed: Map<number, StudyRun> }>();
  const duplicates: string[] = [];
  const methods = new Set<string>();
  const feedbacks = new Set<string>();
  const noises = new Set<number>();
  const seeds = new Set<number>();
  for (const run of runs) {
    const c = run.config;
    const axes: Record<string, AxisLevel> = {};
    for (const a of axisNames) {
      const lv = levelOf(run, a) ?? '(unset)';
      axes[a] = lv;
      levelSets.get(a)!.set(typeof lv === 'number' ? `n${lv}` : `s${lv}`, lv);
    }
    const key: CellKey = { method: c.method, feedback: c.feedback, noise: c.noise, axes };
    const id = cellIdOf(key);
    let g = groups.get(id);
    if (g === undefined) {
      g = { key, ctx: contextId(c.feedback, c.noise, axes), bySeed: new Map() };
      groups.set(id, g);
    }
    if (g.bySeed.has(c.seed)) duplicates.push(`${id} seed ${c.seed}`);
    else g.bySeed.set(c.seed, run);
    methods.add(c.method);
    feedbacks.add(c.feedback);
    noises.add(c.noise);
    seeds.add(c.seed);
  }
  if (duplicates.length > 0) {
    warnings.push({
      code: 'duplicate-seed',
      message: `${duplicates.length} run(s) repeat a seed already present in their cell; the first was kept (e.g. ${duplicates.slice(0, 3).join('; ')})`,
      cellIds: [...new Set(duplicates.map((d) => d.split(' seed ')[0]!))],
    });
  }
  const axisLevels = new Map<string, AxisLevel[]>();
  for (const [a, m] of levelSets) axisLevels.set(a, [...m.values()].sort(compareLevels));

  const mOrder = orderBy(METHOD_ORDER);
  const fOrder = orderBy(FEEDBACK_ORDER);
  const cells: CellGroup[] = [...groups.entries()].map(([id, g]) => {
    const sortedSeeds = [...g.bySeed.keys()].sort((a, b) => a - b);
    return {
      id,
      contextId: g.ctx,
      key: g.key,
      seeds: sortedSeeds,
      runs: sortedSeeds.map((s) => g.bySeed.get(s)!),
      bySeed: g.bySeed,
    };
  });
  cells.sort((x, y) => {
    const a = x.key;
    const b = y.key;
    let r = mOrder(a.method, b.method) || fOrder(a.feedback, b.feedback) || a.noise - b.noise;
    for (const ax of axisNames) {
      if (r !== 0) break;
      r = compareLevels(a.axes[ax]!, b.axes[ax]!);
    }
    return r;
  });
  const byId = new Map(cells.map((c) => [c.id, c]));
  const byMethodContext = new Map<string, Map<string, CellGroup>>();
  for (const c of cells) {
    let m = byMethodContext.get(c.key.method);
    if (m === undefined) {
      m = new Map();
      byMethodContext.set(c.key.method, m);
    }
    m.set(c.contextId, c);
  }
  return {
    axisNames,
    axisLevels,
    methods: [...methods].sort(mOrder),
    feedbacks: [...feedbacks].sort(fOrder),
    noises: [...noises].sort((a, b) => a - b),
    seeds: [...seeds].sort((a, b) => a - b),
    cells,
    byId,
    byMethodContext,
    warnings,
  };
}

/** Spec defaults of the extra fields (sim spec §1); κ's default depends on V. */
const DEFAULTS: Partial<Record<ExtraField, AxisLevel>> = {
  vocab: 8, length: 6, group: 8, steps: 150, lr: 0.05, emaRate: 0.05, jsdBeta: 0.5, binaryQuantile: 0.75, evalEvery: 5,
  weights: canonicalJson({ local: 1, coherence: 1, global: 1 }),
  hybrid: canonicalJson({ alphaMin: 0.2, alphaMax: 0.9, warmup: 5 }),
};

/**
 * Reference level of each extra axis: the caller's choice, else the spec
 * default when present, else the level closest to the default (log scale for
 * positive numbers), else the smallest; a warning says when it is not the default.
 */
export function chooseReference(index: StudyIndex, requested: Readonly<Record<string, AxisLevel>>): { reference: Record<string, AxisLevel>; warnings: AnalysisWarning[] } {
  const reference: Record<string, AxisLevel> = {};
  const warnings: AnalysisWarning[] = [];
  for (const a of index.axisNames) {
    const levels = index.axisLevels.get(a) ?? [];
    const req = requested[a];
    if (req !== undefined) {
      const hit = levels.find((l) => l === req || (typeof l === 'number' && typeof req === 'number' && Math.abs(l - req) <= 1e-12 * Math.max(1, Math.abs(req))));
      if (hit !== undefined) {
        reference[a] = hit;
        continue;
      }
      warnings.push({ code: 'reference-level', message: `requested reference ${a} = ${req} is not among the levels [${levels.join(', ')}]; choosing automatically`, cellIds: [] });
    }
    let def: AxisLevel | undefined = DEFAULTS[a];
    if (a === 'kappa') {
      const v = typeof reference['vocab'] === 'number' ? (reference['vocab'] as number) : 8;
      def = Math.log(v - 1);
    }
    const exact = def === undefined ? undefined : levels.find((l) => l === def || (typeof l === 'number' && typeof def === 'number' && Math.abs(l - def) <= 1e-12 * Math.max(1, Math.abs(def))));
    if (exact !== undefined) {
      reference[a] = exact;
      continue;
    }
    let pick = levels[0]!;
    if (typeof def === 'number' && def > 0) {
      const nums = levels.filter((l): l is number => typeof l === 'number' && l > 0);
      if (nums.length > 0) pick = nums.reduce((best, l) => (Math.abs(Math.log(l / def)) < Math.abs(Math.log(best / def)) ? l : best));
    }
    reference[a] = pick;
    warnings.push({
      code: 'reference-level',
      message: `${a}: the spec default${def === undefined ? '' : ` (${def})`} is not among the levels [${levels.join(', ')}]; claims and the seed plan use ${a} = ${pick}`,
      cellIds: [],
    });
  }
  return { reference, warnings };
}

/** Whether a cell's extra axes equal the reference levels (the "default setting" view). */
export function atReference(axes: Readonly<Record<string, AxisLevel>>, reference: Readonly<Record<string, AxisLevel>>, except: readonly string[] = []): boolean {
  for (const k of Object.keys(reference)) {
    if (except.includes(k)) continue;
    if (axes[k] !== reference[k]) return false;
  }
  return true;
}
