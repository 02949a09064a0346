/**
 * The κ crossover "beyond the deck" (spec §5): per channel, the smallest κ at
 * which SDPO's final reward is significantly above REINFORCE's.
 *
 * REINFORCE does not use κ, so an SDPO cell at κ is paired (by seed) with the
 * REINFORCE cell at the same κ and other axes when the sweep ran one, else
 * with the REINFORCE cell at any κ with the same other axes (its results are
 * the same at every κ).
 */
import { metricValue } from './cells.js';
import { holm, oneSampleT } from './hypothesis.js';
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

function points(kappas: readonly number[], perKappa: readonly (number[] | null)[]): KappaPoint[] {
  const raw = perKappa.map((d) => (d !== null && d.length >= 2 ? oneSampleT(d, 0) : null));
  const idx = raw.map((r, i) => (r === null ? -1 : i)).filter((i) => i >= 0);
  const adj = holm(idx.map((i) => raw[i]!.p));
  const pHolm = new Map(idx.map((i, k) => [i, adj[k]!]));
  return kappas.map((kappa, i) => {
    const r = raw[i];
    const ph = pHolm.get(i) ?? null;
    return {
      kappa,
      n: perKappa[i]?.length ?? 0,
      diff: r?.diff ?? null,
      ci: r?.ci ?? null,
      p: r?.p ?? null,
      pHolm: ph,
      significantlyAbove: r !== null && r !== undefined && ph !== null && ph < ALPHA && r.diff > 0,
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

/** Null when κ is not an axis with ≥ 2 numeric levels or sdpo/reinforce are absent. */
export function kappaCrossover(index: StudyIndex): KappaCrossover | null {
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
  const seriesCells = new Map<string, { feedback: string; noise: number; axes: Record<string, AxisLevel>; byKappa: Map<number, { s: CellGroup; r: CellGroup }> }>();
  let usedFallback = false;
  for (const [ctx, s] of sdpo) {
    const kappa = s.key.axes['kappa'];
    if (typeof kappa !== 'number') continue;
    const axes = withoutKappa(s.key.axes);
    const key = contextId(s.key.feedback, s.key.noise, axes);
    let r = rf.get(ctx);
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
    e.byKappa.set(kappa, { s, r });
  }
  const series: KappaSeries[] = [];
  // Per channel, per seed: differences at each κ, averaged over the channel's series (other axes).
  const channelAcc = new Map<string, Map<number, Map<number, { sum: number; count: number }>>>();
  for (const e of seriesCells.values()) {
    const perKappa = levels.map((k) => {
      const pair = e.byKappa.get(k);
      return pair === undefined ? null : diffsBySeed(pair.s, pair.r);
    });
    const pts = points(levels, perKappa.map((m) => (m === null ? null : [...m.values()])));
    const { crossover, stable } = crossovers(pts);
    series.push({ feedback: e.feedback, noise: e.noise, axes: e.axes, points: pts, crossover, stableCrossover: stable });
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
  const byChannel = index.feedbacks
    .filter((f) => channelAcc.has(f))
    .map((f) => {
      const ch = channelAcc.get(f)!;
      // Only seeds present in every series of the channel at that κ, so each seed averages the same levels.
      const perKappa = levels.map((k) => {
        const bySeed = ch.get(k);
        if (bySeed === undefined) return null;
        const maxCount = Math.max(...[...bySeed.values()].map((a) => a.count));
        return [...bySeed.values()].filter((a) => a.count === maxCount).map((a) => a.sum / a.count);
      });
      const pts = points(levels, perKappa);
      return { feedback: f, crossover: crossovers(pts).crossover, points: pts };
    });
  const otherAxes = index.axisNames.filter((a) => a !== 'kappa');
  return {
    kappas: levels,
    series,
    byChannel,
    note:
      `Paired t of sdpo − reinforce finalReward per seed at each κ, Holm over the κ levels of each series.` +
      (otherAxes.length > 0 ? ` byChannel averages each seed's difference over the levels of ${otherAxes.join(', ')} and noise first.` : '') +
      (usedFallback ? ' REINFORCE was not run at every κ; its runs at another κ (same other axes) were used, as κ does not affect it.' : ''),
  };
}

