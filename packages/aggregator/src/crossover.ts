/**
 * The κ crossover "beyond the deck" (spec §5): per channel, the smallest κ at
 * which SDPO's final reward is significantly above REINFORCE's.
 *
 * REINFORCE does not use κ, so an SDPO cell at κ is paired (by seed) with the
 * REINFORCE cell at the same κ and other axes when the sweep ran one, else
 * with the REINFORCE cell at any κ with the same other axes (its results are
 * the same at every κ).
 *
 * "Significantly" is spec §2's: Holm-adjusted p < 0.05 over every finalReward
 * comparison of the analysis. So the crossover is built in two steps: its tests
 * ({@link kappaCrossoverTests}), whose p-values join the comparisons table's
 * finalReward family unless they are rows of it already, then the points with
 * their adjusted p ({@link finishKappaCrossover}).
 */
import { metricValue } from './cells.js';
import { oneSampleT, type TTestResult } from './hypothesis.js';
import { contextId, type CellGroup, type StudyIndex } from './study.js';
import type { AxisLevel, KappaCrossover, KappaPoint, KappaSeries } from './types.js';

const ALPHA = 0.05;

function withoutKappa(axes: Readonly<Record<string, AxisLevel>>): Record<string, AxisLevel> {
  const o: Record<string, AxisLevel> = {};
  for (const k of Object.keys(axes)) if (k !== 'kappa') o[k] = axes[k]!;
  return o;
}

function diffsBySeed(s: CellGroup, r: CellGroup): Map<number, number> {
  const out = new Map<number, number>();
  for (const seed of s.seeds) {
    const rr = r.bySeed.get(seed);
    if (rr === undefined) continue;
    out.set(seed, metricValue(s.bySeed.get(seed)!, 'finalReward')! - metricValue(rr, 'finalReward')!);
  }
  return out;
}

/** A point's test before the family-wise adjustment. */
export interface KappaTest {
  readonly kappa: number;
  readonly n: number;
  /** Paired t of the per-seed differences; null with fewer than 2 seeds. */
  readonly t: TTestResult | null;
  /**
   * The SDPO and REINFORCE cells when they share every axis: then this test is the
   * comparisons table's sdpo-vs-reinforce row of that cell (same pairs, same p).
   */
  readonly cells: { readonly cellId: string; readonly baselineCellId: string } | null;
}

/** The crossover's tests, to be adjusted with the rest of the finalReward family. */
export interface KappaCrossoverTests {
  readonly kappas: readonly number[];
  readonly series: readonly { readonly feedback: string; readonly noise: number; readonly axes: Readonly<Record<string, AxisLevel>>; readonly tests: readonly KappaTest[] }[];
  readonly byChannel: readonly { readonly feedback: string; readonly tests: readonly KappaTest[] }[];
  readonly note: string;
}

function kappaTest(kappa: number, d: readonly number[] | null, cells: KappaTest['cells']): KappaTest {
  return { kappa, n: d?.length ?? 0, t: d !== null && d.length >= 2 ? oneSampleT(d, 0) : null, cells };
}

function points(tests: readonly KappaTest[], pHolm: (t: KappaTest) => number | null): KappaPoint[] {
  return tests.map((x) => {
    const ph = x.t === null ? null : pHolm(x);
    return {
      kappa: x.kappa,
      n: x.n,
      diff: x.t?.diff ?? null,
      ci: x.t?.ci ?? null,
      p: x.t?.p ?? null,
      pHolm: ph,
      significantlyAbove: x.t !== null && ph !== null && ph < ALPHA && x.t.diff > 0,
    };
  });
}

function crossovers(pts: readonly KappaPoint[]): { crossover: number | null; stable: number | null } {
  const first = pts.find((p) => p.significantlyAbove);
  let stable: number | null = null;
  for (let i = pts.length - 1; i >= 0; i--) {
    if (!pts[i]!.significantlyAbove) break;
    stable = pts[i]!.kappa;
  }
  return { crossover: first?.kappa ?? null, stable };
}

/** The crossover's tests; null when κ is not an axis with ≥ 2 numeric levels or sdpo/reinforce are absent. */
export function kappaCrossoverTests(index: StudyIndex): KappaCrossoverTests | null {
  const levels = (index.axisLevels.get('kappa') ?? []).filter((l): l is number => typeof l === 'number');
  if (!index.axisNames.includes('kappa') || levels.length < 2) return null;
  const sdpo = index.byMethodContext.get('sdpo');
  const rf = index.byMethodContext.get('reinforce');
  if (sdpo === undefined || rf === undefined) return null;
  // REINFORCE cells by context-without-κ, for the "any κ" fallback.
  const rfAnyKappa = new Map<string, CellGroup>();
  for (const c of rf.values()) {
    const k = contextId(c.key.feedback, c.key.noise, withoutKappa(c.key.axes));
    if (!rfAnyKappa.has(k)) rfAnyKappa.set(k, c);
  }
  // Series: SDPO cells grouped by context without κ.
  const seriesCells = new Map<string, { feedback: string; noise: number; axes: Record<string, AxisLevel>; byKappa: Map<number, { s: CellGroup; r: CellGroup; sameCell: boolean }> }>();
  let usedFallback = false;
  for (const [ctx, s] of sdpo) {
    const kappa = s.key.axes['kappa'];
    if (typeof kappa !== 'number') continue;
    const axes = withoutKappa(s.key.axes);
    const key = contextId(s.key.feedback, s.key.noise, axes);
    let r = rf.get(ctx);
    const sameCell = r !== undefined;
    if (r === undefined) {
      r = rfAnyKappa.get(key);
      if (r !== undefined) usedFallback = true;
    }
    if (r === undefined) continue;
    let e = seriesCells.get(key);
    if (e === undefined) {
      e = { feedback: s.key.feedback, noise: s.key.noise, axes, byKappa: new Map() };
      seriesCells.set(key, e);
    }
    e.byKappa.set(kappa, { s, r, sameCell });
  }
  const series: KappaCrossoverTests['series'][number][] = [];
  // Per channel, per seed: differences at each κ, averaged over the channel's series (other axes).
  const channelAcc = new Map<string, Map<number, Map<number, { sum: number; count: number }>>>();
  for (const e of seriesCells.values()) {
    const perKappa = levels.map((k) => {
      const pair = e.byKappa.get(k);
      return pair === undefined ? null : diffsBySeed(pair.s, pair.r);
    });
    const tests = levels.map((k, i) => {
      const pair = e.byKappa.get(k);
      const m = perKappa[i]!;
      return kappaTest(k, m === null ? null : [...m.values()], pair?.sameCell ? { cellId: pair.s.id, baselineCellId: pair.r.id } : null);
    });
    series.push({ feedback: e.feedback, noise: e.noise, axes: e.axes, tests });
    let ch = channelAcc.get(e.feedback);
    if (ch === undefined) {
      ch = new Map();
      channelAcc.set(e.feedback, ch);
    }
    perKappa.forEach((m, i) => {
      if (m === null) return;
      let bySeed = ch.get(levels[i]!);
      if (bySeed === undefined) {
        bySeed = new Map();
        ch.set(levels[i]!, bySeed);
      }
      for (const [seed, d] of m) {
        const a = bySeed.get(seed) ?? { sum: 0, count: 0 };
        a.sum += d;
        a.count++;
        bySeed.set(seed, a);
      }
    });
  }
  const seriesPerChannel = new Map<string, number>();
  for (const e of series) seriesPerChannel.set(e.feedback, (seriesPerChannel.get(e.feedback) ?? 0) + 1);
  const byChannel = index.feedbacks
    .filter((f) => channelAcc.has(f))
    .map((f) => {
      // A channel with a single series averages nothing: its tests ARE the series' tests. The same
      // objects, so the family-wise adjustment counts each test once, not twice.
      if (seriesPerChannel.get(f) === 1) return { feedback: f, tests: series.find((e) => e.feedback === f)!.tests };
      const ch = channelAcc.get(f)!;
      // Only seeds present in every series of the channel at that κ, so each seed averages the same levels.
      const perKappa = levels.map((k) => {
        const bySeed = ch.get(k);
        if (bySeed === undefined) return null;
        const maxCount = Math.max(...[...bySeed.values()].map((a) => a.count));
        return [...bySeed.values()].filter((a) => a.count === maxCount).map((a) => a.sum / a.count);
      });
      return { feedback: f, tests: levels.map((k, i) => kappaTest(k, perKappa[i]!, null)) };
    });
  const otherAxes = index.axisNames.filter((a) => a !== 'kappa');
  return {
    kappas: levels,
    series,
    byChannel,
    note:
      `Paired t of sdpo − reinforce finalReward per seed at each κ, Holm over every finalReward comparison of the analysis (the comparisons table's and these).` +
      (otherAxes.length > 0 ? ` byChannel averages each seed's difference over the levels of ${otherAxes.join(', ')} and noise first.` : '') +
      (usedFallback ? ' REINFORCE was not run at every κ; its runs at another κ (same other axes) were used, as κ does not affect it.' : ''),
  };
}

/** The crossover from its tests, given each test's Holm-adjusted p in the finalReward family. */
export function finishKappaCrossover(tests: KappaCrossoverTests, pHolm: (t: KappaTest) => number | null): KappaCrossover {
  const series: KappaSeries[] = tests.series.map((e) => {
    const pts = points(e.tests, pHolm);
    const { crossover, stable } = crossovers(pts);
    return { feedback: e.feedback, noise: e.noise, axes: e.axes, points: pts, crossover, stableCrossover: stable };
  });
  const byChannel = tests.byChannel.map((c) => {
    const pts = points(c.tests, pHolm);
    return { feedback: c.feedback, crossover: crossovers(pts).crossover, points: pts };
  });
  return { kappas: tests.kappas, series, byChannel, note: tests.note };
}
