import { levelOf, type AxisLevel, type Cell, type CurveName, type MetricName, type StudyAnalysis, type StudyRun } from '@sdpo/aggregator';
import type { CellPoint, ClaimFigurePart, CurvePoint, FigureData, KappaFigurePoint, SeedPoint } from './figures.js';

/**
 * The noise level the per-channel figures show: σ = 0 when the study has it
 * (the deck's claims are stated there), otherwise the smallest σ present.
 */
export function focusNoise(analysis: StudyAnalysis): number {
  const ns = analysis.axes.noises;
  if (ns.includes(0)) return 0;
  return ns.length === 0 ? 0 : Math.min(...ns);
}

const sameLevel = (a: AxisLevel | undefined, b: AxisLevel): boolean => a === b || (a !== undefined && String(a) === String(b));

/** True when a cell sits at the analysis's reference level of every extra axis. */
export function atReference(analysis: StudyAnalysis, axes: Readonly<Record<string, AxisLevel>>): boolean {
  return Object.entries(analysis.reference).every(([k, v]) => !(k in axes) || sameLevel(axes[k], v));
}

/** Cells at the reference levels of the extra axes (κ, lr, …): the ones the main figures show. */
export function referenceCells(analysis: StudyAnalysis): Cell[] {
  return analysis.cells.filter((c) => atReference(analysis, c.key.axes));
}

function curvePoints(cells: readonly Cell[], curve: CurveName): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (const c of cells) {
    const b = c.curves[curve];
    for (let i = 0; i < b.step.length; i++) {
      const mean = b.mean[i];
      if (mean === null || mean === undefined) continue;
      out.push({ method: c.key.method, feedback: c.key.feedback, noise: c.key.noise, step: b.step[i]!, mean, lo: b.lo[i] ?? null, hi: b.hi[i] ?? null });
    }
  }
  return out;
}

function cellPoints(cells: readonly Cell[], metric: MetricName): CellPoint[] {
  const out: CellPoint[] = [];
  for (const c of cells) {
    const m = c.metrics[metric];
    if (m.mean === null) continue;
    out.push({ method: c.key.method, feedback: c.key.feedback, noise: c.key.noise, n: m.n, mean: m.mean, lo: m.ci?.lo ?? null, hi: m.ci?.hi ?? null });
  }
  return out;
}

function seedPoints(runs: readonly StudyRun[], pick: (r: StudyRun) => number | null): SeedPoint[] {
  const out: SeedPoint[] = [];
  for (const r of runs) {
    const v = pick(r);
    if (v === null || !Number.isFinite(v)) continue;
    out.push({ method: r.config.method, feedback: r.config.feedback, noise: r.config.noise, seed: r.config.seed, value: v });
  }
  return out;
}

const fmtLevel = (v: AxisLevel): string => (typeof v === 'number' ? String(Number(v.toPrecision(4))) : v);

/** Turns the κ crossover of a (sensitivity) analysis into figure rows: one series per fixed other-axes combination, plus the pooled one. */
export function kappaFigurePoints(analysis: StudyAnalysis): KappaFigurePoint[] {
  const kc = analysis.kappaCrossover;
  if (!kc) return [];
  const out: KappaFigurePoint[] = [];
  for (const s of kc.series) {
    const label = Object.entries(s.axes).map(([k, v]) => `${k} = ${fmtLevel(v)}`).join(', ') || `σ = ${s.noise}`;
    for (const p of s.points) {
      if (p.diff === null) continue;
      out.push({ feedback: s.feedback, kappa: p.kappa, series: label, diff: p.diff, lo: p.ci?.lo ?? null, hi: p.ci?.hi ?? null, significant: p.significantlyAbove });
    }
  }
  // The pooled series only adds information when there were several series per channel.
  const perChannel = new Map<string, number>();
  for (const s of kc.series) perChannel.set(s.feedback, (perChannel.get(s.feedback) ?? 0) + 1);
  if ([...perChannel.values()].some((n) => n > 1)) {
    for (const ch of kc.byChannel) {
      for (const p of ch.points) {
        if (p.diff === null) continue;
        out.push({ feedback: ch.feedback, kappa: p.kappa, series: 'pooled', diff: p.diff, lo: p.ci?.lo ?? null, hi: p.ci?.hi ?? null, significant: p.significantlyAbove });
      }
    }
  }
  return out;
}

/** The measured parts of every claim, for the claims forest plot (parts without an estimate are left out). */
export function claimFigureParts(analysis: StudyAnalysis): ClaimFigurePart[] {
  return analysis.claims.flatMap((c) =>
    c.parts
      .filter((p) => p.estimate !== null && Number.isFinite(p.estimate))
      .map((p) => ({
        claim: c.id, label: p.label, role: p.role, estimate: p.estimate!, lo: p.ci?.lo ?? null, hi: p.ci?.hi ?? null,
        claimedLo: p.claimed?.lo ?? null, claimedHi: p.claimed?.hi ?? null, verdict: p.verdict,
      })),
  );
}

/**
 * Everything the figures need, from an analysis and the runs it was computed
 * from (the runs give the per-seed dots). Only cells and runs at the
 * reference levels of extra axes are drawn.
 */
export function figureData(analysis: StudyAnalysis, runs: readonly StudyRun[], sensitivity?: StudyAnalysis): FigureData {
  const cells = referenceCells(analysis);
  const extra = analysis.axes.extra.map((a) => a.name);
  const refRuns = runs.filter((r) => extra.every((name) => {
    const ref = analysis.reference[name];
    return ref === undefined || sameLevel(levelOf(r, name), ref);
  }));
  const kappa = sensitivity ? kappaFigurePoints(sensitivity) : kappaFigurePoints(analysis);
  return {
    focusNoise: focusNoise(analysis),
    rewardCurves: curvePoints(cells, 'reward'),
    entropyCurves: curvePoints(cells, 'entropy'),
    alphaCurves: curvePoints(cells.filter((c) => c.key.method === 'hybrid'), 'alpha'),
    klCurves: curvePoints(cells, 'kl'),
    finalReward: cellPoints(cells, 'finalReward'),
    finalRewardSeeds: seedPoints(refRuns, (r) => r.summary.finalReward),
    creditCorr: cellPoints(cells, 'creditCorr'),
    creditSeeds: seedPoints(refRuns, (r) => r.summary.creditCorr),
    entropyDrop: cellPoints(cells, 'entropyDrop'),
    entropyDropSeeds: seedPoints(refRuns, (r) => r.summary.entropyDrop),
    ...(kappa.length > 0 ? { kappa } : {}),
    claims: claimFigureParts(analysis),
  };
}
