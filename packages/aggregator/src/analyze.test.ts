import test from 'ava';
import { AggregatorError, analyzeStudy } from './analyze.js';
import { decide } from './claims.js';
import { fisherZ, mean, sorted, iqmSorted, tInterval } from './describe.js';
import { syntheticRuns, type SyntheticOptions } from './synthetic.js';
import { holm, pairedT } from './hypothesis.js';
import type { StudyRun, Verdict } from './types.js';

const seeds = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

const SMALL: SyntheticOptions = { seeds: seeds(12), methods: ['reinforce', 'sdpo', 'hybrid'], feedbacks: ['critique', 'binary'], noises: [0, 0.2], seed: 3 };

test('a study yields one cell per method × channel × noise with per-metric statistics and curve bands', (t) => {
  const a = analyzeStudy(syntheticRuns(SMALL), { bootstrapResamples: 200 });
  t.is(a.cells.length, 3 * 2 * 2);
  t.deepEqual(a.axes.methods, ['reinforce', 'sdpo', 'hybrid']);
  t.deepEqual(a.axes.extra, []);
  const c = a.cells.find((x) => x.id === 'sdpo|binary|0.2')!;
  t.is(c.n, 12);
  const fr = c.metrics.finalReward;
  t.true(fr.ci!.lo < fr.mean! && fr.mean! < fr.ci!.hi);
  t.is(c.curves.reward.step.length, 31);
  t.is(c.curves.credit.mean[0], null, 'batch metrics are null at step 0');
  t.is(c.curves.alpha.n[5], 0, 'sdpo has no α');
  const band = c.curves.reward;
  t.true(band.lo[10]! < band.mean[10]! && band.mean[10]! < band.hi[10]!);
});

test('cell statistics follow the spec: Fisher-z credit, ∞-aware stepsTo90, IQM over floor(n/4)-trimmed seeds', (t) => {
  const base = syntheticRuns({ ...SMALL, methods: ['sdpo'], feedbacks: ['binary'], noises: [0] });
  const credit = [0.9, 0.95, 0.99, 1, 0.5, 0.7, 0.8, 0.85, 0.6, 0.75, 0.65, 0.92];
  const steps = [10, null, 20, null, null, 15, null, null, 25, null, null, null];
  const runs: StudyRun[] = base.map((r, i) => ({ ...r, summary: { ...r.summary, creditCorr: credit[i]!, stepsTo90: steps[i]! } }));
  const a = analyzeStudy(runs, { bootstrapResamples: 10 });
  const m = a.cells[0]!.metrics;
  const z = credit.map(fisherZ);
  t.is(m.creditCorr.scale, 'fisher-z');
  t.is(m.creditCorr.mean, Math.tanh(mean(z)));
  t.is(m.creditCorr.ci!.lo, Math.tanh(tInterval(z)!.lo));
  t.true(Number.isFinite(m.creditCorr.sd!), 'r = 1 is clipped below 1 before atanh');
  t.deepEqual(m.stepsTo90.converged, { count: 4, fraction: 4 / 12 });
  t.is(m.stepsTo90.median, null, 'more than half never converged: the median is +∞, reported as null');
  t.is(m.stepsTo90.min, 10);
  t.is(m.stepsTo90.max, null);
  t.is(m.stepsTo90.mean, 17.5, 'mean over the converged runs');
  const fr = runs.map((r) => r.summary.finalReward);
  t.is(m.finalReward.iqm, iqmSorted(sorted(fr)));
});

test('comparisons are paired on the seeds both cells have (a failed run leaves its seed out), and Welch + Mann-Whitney when they share fewer than 2, saying so', (t) => {
  const full = syntheticRuns(SMALL);
  // REINFORCE binary σ = 0 lacks seed 3 (a failed task); REINFORCE binary σ = 0.2 ran other seeds altogether (a mixed sweep).
  const runs = full
    .filter((r) => !(r.config.method === 'reinforce' && r.config.feedback === 'binary' && r.config.noise === 0 && r.config.seed === 3))
    .map((r) => (r.config.method === 'reinforce' && r.config.feedback === 'binary' && r.config.noise === 0.2 ? { ...r, config: { ...r.config, seed: r.config.seed + 100 } } : r));
  const a = analyzeStudy(runs, { bootstrapResamples: 50 });
  const cell = (method: string, feedback: string, noise: number) =>
    runs.filter((r) => r.config.method === method && r.config.feedback === feedback && r.config.noise === noise);
  const paired = a.comparisons.find((c) => c.id === 'finalReward|sdpo-vs-reinforce|critique|0')!;
  t.is(paired.design, 'paired');
  t.is(paired.parametric!.test, 'paired-t');
  t.is(paired.rank!.test, 'wilcoxon');
  t.is(paired.p, pairedT(cell('sdpo', 'critique', 0).map((r) => r.summary.finalReward), cell('reinforce', 'critique', 0).map((r) => r.summary.finalReward)).p);
  // Before, the one missing run made this comparison independent on every seed.
  const partly = a.comparisons.find((c) => c.id === 'finalReward|sdpo-vs-reinforce|binary|0')!;
  t.is(partly.design, 'paired');
  t.is(partly.n, 11);
  const sd = cell('sdpo', 'binary', 0).filter((r) => r.config.seed !== 3).map((r) => r.summary.finalReward);
  t.is(partly.p, pairedT(sd, cell('reinforce', 'binary', 0).map((r) => r.summary.finalReward)).p);
  t.regex(partly.designNote, /seeds shared \(11 pairs; 1 run\(s\) whose seed the other cell lacks left out\)/);
  t.true(a.warnings.some((w) => w.code === 'unmatched-seeds' && w.cellIds.includes('sdpo|binary|0')));
  t.true(a.seedPlan.some((p) => p.comparisonId === partly.id), 'the seed plan keeps a partly paired comparison');
  const unpaired = a.comparisons.find((c) => c.id === 'finalReward|sdpo-vs-reinforce|binary|0.2')!;
  t.is(unpaired.design, 'independent');
  t.is(unpaired.parametric!.test, 'welch-t');
  t.is(unpaired.rank!.test, 'mann-whitney');
  t.regex(unpaired.designNote, /not shared \(0 of 12 vs 12 in common\)/);
  t.true(a.warnings.some((w) => w.code === 'unpaired-design' && w.cellIds.includes('sdpo|binary|0.2')));
  t.true(a.comparisons.some((c) => c.method === 'hybrid' && c.baseline === 'sdpo'), 'hybrid vs sdpo is a default pair');
});

test('Holm-adjusted p-values are never below the raw p, and significant means pHolm < 0.05', (t) => {
  const a = analyzeStudy(syntheticRuns(SMALL), { bootstrapResamples: 50 });
  const withP = a.comparisons.filter((c) => c.p !== null);
  t.true(withP.length > 0);
  for (const c of withP) {
    // q = p·m/rank can round an ulp below p when rank = m; allow that much.
    t.true(c.pHolm! >= c.p! && c.qBH! >= c.p! * (1 - 1e-15));
    t.is(c.significant, c.pHolm! < 0.05);
  }
  const steps = a.comparisons.filter((c) => c.metric === 'stepsTo90');
  t.true(steps.every((c) => c.parametric === null && c.scale === 'rank-only'), 'stepsTo90 is compared with rank tests only');
});

test('the bootstrap is reproducible: the same seed gives identical aggregates, another seed different intervals', (t) => {
  const runs = syntheticRuns(SMALL);
  const a = analyzeStudy(runs, { bootstrapResamples: 500, bootstrapSeed: 11 });
  const b = analyzeStudy(runs, { bootstrapResamples: 500, bootstrapSeed: 11 });
  const c = analyzeStudy(runs, { bootstrapResamples: 500, bootstrapSeed: 12 });
  t.deepEqual(a.aggregates, b.aggregates);
  t.deepEqual(a, b);
  t.notDeepEqual(a.aggregates.methods[1]!.iqm.ci, c.aggregates.methods[1]!.iqm.ci);
  t.is(a.aggregates.methods[1]!.iqm.point, c.aggregates.methods[1]!.iqm.point, 'point estimates do not depend on the seed');
  const sdpo = a.aggregates.methods.find((m) => m.method === 'sdpo')!;
  t.true(sdpo.iqm.ci.lo <= sdpo.iqm.point && sdpo.iqm.point <= sdpo.iqm.ci.hi);
  t.true(Math.abs(sdpo.optimalityGap.point - (1 - sdpo.mean.point)) < 1e-12, 'with all rewards below γ = 1 the gap is 1 − mean');
  const poi = a.aggregates.probabilityOfImprovement.find((p) => p.method === 'sdpo' && p.versus === 'reinforce')!;
  t.true(poi.estimate.point > 0.9);
});

test('the analysis is plain JSON: no NaN, Infinity or undefined survive', (t) => {
  const a = analyzeStudy(syntheticRuns(SMALL), { bootstrapResamples: 50 });
  t.deepEqual(JSON.parse(JSON.stringify(a)), a);
});

test('the decision rule yields each verdict kind', (t) => {
  const ci = (lo: number, hi: number) => ({ lo, hi, level: 0.95 });
  const claimed = { lo: 0.13, hi: 0.18 };
  t.is(decide(0.001, 0.15, ci(0.12, 0.17), claimed), 'supported');
  t.is(decide(0.001, 0.4, ci(0.35, 0.45), claimed), 'direction only');
  t.is(decide(0.001, -0.1, ci(-0.15, -0.05), claimed), 'not supported');
  t.is(decide(0.2, 0.15, ci(-0.1, 0.4), claimed), 'inconclusive');
  t.is(decide(0.001, 0.4, ci(0.35, 0.45), null), 'supported', 'no claimed magnitude: direction suffices');
});

test('claim 1 reaches each verdict kind on constructed studies', (t) => {
  const verdict = (sdpo: number, sd: number): Verdict => {
    const runs = syntheticRuns({
      seeds: seeds(16), methods: ['reinforce', 'sdpo'], feedbacks: ['continuous', 'binary'], noises: [0], seed: 5,
      finalReward: { reinforce: 0.6, sdpo }, runSd: { reinforce: sd, sdpo: sd },
    });
    return analyzeStudy(runs, { bootstrapResamples: 20 }).claims.find((c) => c.id === 1)!.verdict;
  };
  t.is(verdict(0.755, 0.01), 'supported');
  t.is(verdict(0.9, 0.01), 'direction only');
  t.is(verdict(0.5, 0.01), 'not supported');
  t.is(verdict(0.6, 0.2), 'inconclusive');
});

test('every claim carries its measurement, rule, numbers and cells', (t) => {
  const runs = syntheticRuns({ seeds: seeds(12), methods: ['reinforce', 'sdpo', 'hybrid'], feedbacks: ['critique', 'continuous', 'ordinal', 'binary'], noises: [0, 0.5], seed: 9 });
  const a = analyzeStudy(runs, { bootstrapResamples: 20 });
  t.deepEqual(a.claims.map((c) => c.id), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  for (const c of a.claims) {
    t.true(c.measurement.length > 20 && c.rule.length > 20, `claim ${c.id} text`);
    t.true(c.parts.some((p) => p.role === 'primary'), `claim ${c.id} has a primary part`);
    t.true(c.cellIds.length > 0, `claim ${c.id} names its cells`);
    t.true(c.n > 0, `claim ${c.id} has n`);
    // The headline names the part its numbers are from.
    const h = c.parts.find((p) => p.label === c.headline!.label)!;
    t.deepEqual([h.estimate, h.p, h.role, h.pAdjustment], [c.estimate, c.p, c.headline!.role, c.headline!.pAdjustment], `claim ${c.id} headline`);
  }
  // Claim 1's headline is the pooled measure, which does not decide its verdict: the table must say so.
  t.deepEqual(a.claims[0]!.headline, { label: 'pooled over channels', role: 'secondary', pAdjustment: 'none' });
  const c6 = a.claims.find((c) => c.id === 6)!;
  t.true(c6.parts.every((p) => p.estimate === null || p.estimate <= 150));
});

test('a claim without the cells it needs is inconclusive and says why', (t) => {
  const runs = syntheticRuns({ ...SMALL, methods: ['reinforce', 'sdpo'] });
  const a = analyzeStudy(runs, { bootstrapResamples: 20 });
  const c7 = a.claims.find((c) => c.id === 7)!;
  t.is(c7.verdict, 'inconclusive');
  t.regex(c7.parts[0]!.note, /hybrid or sdpo cells missing/);
  t.true(a.warnings.some((w) => w.code === 'claim-data-missing'));
});

test('cells with fewer than 10 seeds are flagged', (t) => {
  const a = analyzeStudy(syntheticRuns({ ...SMALL, seeds: seeds(5) }), { bootstrapResamples: 20 });
  const w = a.warnings.find((x) => x.code === 'small-cell')!;
  t.is(w.cellIds.length, a.cells.length);
  t.regex(w.message, /fewer than 10 seeds/);
});

test('κ and lr become axes; the κ crossover finds the smallest κ with SDPO significantly above REINFORCE', (t) => {
  const kappas = [0.02, 0.5, Math.log(7), 8];
  const sdpo = syntheticRuns({ seeds: seeds(20), methods: ['sdpo'], feedbacks: ['continuous', 'binary'], noises: [0.1], kappas, lrs: [0.03, 0.1], seed: 4 });
  // REINFORCE ignores κ: run it at one κ only, as a sweep might.
  const rf = syntheticRuns({ seeds: seeds(20), methods: ['reinforce'], feedbacks: ['continuous', 'binary'], noises: [0.1], kappas: [Math.log(7)], lrs: [0.03, 0.1], seed: 4 });
  const a = analyzeStudy([...sdpo, ...rf], { bootstrapResamples: 20 });
  t.deepEqual(a.axes.extra.map((e) => e.name), ['lr', 'kappa']);
  t.true(a.warnings.some((w) => w.code === 'reference-level' && /lr/.test(w.message)), 'lr 0.05 is absent: the reference is chosen and said');
  const kc = a.kappaCrossover!;
  t.deepEqual(kc.kappas, kappas);
  t.is(kc.series.length, 4, 'two channels × two lr');
  t.regex(kc.note, /another κ/);
  for (const s of kc.series) {
    const first = s.points.find((p) => p.significantlyAbove);
    t.is(s.crossover, first?.kappa ?? null);
    t.false(s.points[0]!.significantlyAbove, 'κ ≈ 0 gives SDPO no edge');
    t.true(s.points[3]!.significantlyAbove, 'κ = 8 gives SDPO its full edge');
  }
  t.is(kc.byChannel.length, 2);
  t.true(kc.byChannel.every((c) => c.crossover !== null && c.crossover > 0.02));
});

test("a crossover point is 'significantly above' by spec §2's rule: Holm over every finalReward comparison, the table's rows and the crossover's own tests", (t) => {
  const kappas = [0.5, 1, Math.log(7), 4, 8];
  const runs = syntheticRuns({ seeds: seeds(12), methods: ['reinforce', 'sdpo', 'hybrid'], feedbacks: ['continuous', 'binary'], noises: [0.1], kappas, lrs: [0.03, 0.1], seed: 9 });
  const a = analyzeStudy(runs, { bootstrapResamples: 20 });
  const kc = a.kappaCrossover!;
  const rows = a.comparisons.filter((c) => c.metric === 'finalReward');
  // REINFORCE ran at every κ, so each series point is the table's sdpo-vs-reinforce row of its cell.
  let matched = 0;
  for (const s of kc.series) {
    for (const p of s.points) {
      const row = rows.find((c) => c.method === 'sdpo' && c.baseline === 'reinforce' && c.feedback === s.feedback && c.axes['kappa'] === p.kappa && c.axes['lr'] === s.axes['lr'])!;
      t.is(p.p, row.p);
      t.is(p.pHolm, row.pHolm, 'one family: the table row and the crossover point carry the same adjusted p');
      t.is(p.significantlyAbove, row.significant && row.diff! > 0);
      matched++;
    }
  }
  t.is(matched, 2 * 2 * kappas.length);
  // The per-channel averages are not table rows: they join the family after them.
  const extra = kc.byChannel.flatMap((c) => c.points.map((p) => p.p!));
  const family = [...rows.filter((c) => c.p !== null).map((c) => c.p!), ...extra];
  const adjusted = holm(family).slice(family.length - extra.length);
  t.deepEqual(kc.byChannel.flatMap((c) => c.points.map((p) => p.pHolm)), adjusted);
  // And the table's own adjustment counts them: its family is larger than the table.
  const tableOnly = holm(rows.filter((c) => c.p !== null).map((c) => c.p!));
  t.deepEqual(rows.filter((c) => c.p !== null).map((c) => c.pHolm), holm(family).slice(0, tableOnly.length));
});

test('a divergence that differs only between channels (auto) does not split cells', (t) => {
  const runs = syntheticRuns(SMALL).map((r) => ({ ...r, config: { ...r.config, divergence: r.config.feedback === 'critique' ? 'reverse-kl' : 'jsd' } }));
  const a = analyzeStudy(runs, { bootstrapResamples: 20 });
  t.deepEqual(a.axes.extra, []);
  t.is(a.cells.length, 12);
});

test('invalid input is rejected with a stable code and the path of the problem', (t) => {
  const runs = syntheticRuns({ ...SMALL, seeds: [0] });
  const bad = runs.map((r, i) => (i === 1 ? { ...r, summary: { ...r.summary, finalReward: 'high' as unknown as number } } : r));
  const e = t.throws(() => analyzeStudy(bad), { instanceOf: AggregatorError })!;
  t.is(e.code, 'INVALID_RUN');
  t.deepEqual(e.path, [1, 'summary', 'finalReward']);
  t.regex(e.message, /runs\.1\.summary\.finalReward/);
  const e2 = t.throws(() => analyzeStudy(runs, { bootstrapResamples: 0 }), { instanceOf: AggregatorError })!;
  t.is(e2.code, 'INVALID_OPTION');
  t.is(t.throws(() => analyzeStudy([]), { instanceOf: AggregatorError })!.code, 'NO_RUNS');
});

test('the seed planner reports seeds for the planned difference from the pilot SD', (t) => {
  const a = analyzeStudy(syntheticRuns(SMALL), { bootstrapResamples: 20, plannedDifference: 0.02 });
  t.true(a.seedPlan.length > 0);
  for (const row of a.seedPlan) {
    t.is(row.difference, 0.02);
    t.true(row.seeds === null || row.seeds >= 2);
    t.true(row.powerNow >= 0 && row.powerNow <= 1);
  }
});

test('the analysis does not depend on the order the runs arrive in', (t) => {
  const runs = syntheticRuns(SMALL);
  // A deterministic shuffle (the store returns results in completion order).
  const shuffled = runs.map((r, i) => ({ r, k: (i * 7919) % runs.length })).sort((a, b) => a.k - b.k).map((x) => x.r);
  t.notDeepEqual(shuffled.map((r) => r.config.seed), runs.map((r) => r.config.seed));
  t.deepEqual(analyzeStudy(shuffled, { bootstrapResamples: 100 }), analyzeStudy(runs, { bootstrapResamples: 100 }));
});

/** Replaces SDPO's reward curve by REINFORCE's (same seed and cell context) plus `lift(step)`. */
function liftSdpoCurves(runs: StudyRun[], lift: (step: number) => number): StudyRun[] {
  const rf = new Map(runs.filter((r) => r.config.method === 'reinforce').map((r) => [`${r.config.seed}|${r.config.feedback}|${r.config.noise}`, r]));
  return runs.map((r) => {
    if (r.config.method !== 'sdpo') return r;
    const base = rf.get(`${r.config.seed}|${r.config.feedback}|${r.config.noise}`)!;
    return { ...r, curves: { ...r.curves, reward: base.curves.reward.map((v, i) => v + lift(base.curves.step[i]!)) } };
  });
}

test('claim 6 dates the separation of the reward intervals and grades it against 30 steps', (t) => {
  const runs = syntheticRuns({ ...SMALL, methods: ['reinforce', 'sdpo'] });
  const c6 = (rs: StudyRun[]) => analyzeStudy(rs, { bootstrapResamples: 10 }).claims.find((c) => c.id === 6)!;
  const early = c6(liftSdpoCurves(runs, (k) => (k >= 20 ? 0.2 : 0)));
  t.is(early.verdict, 'supported');
  t.true(early.parts.every((p) => p.estimate === 20));
  const late = c6(liftSdpoCurves(runs, (k) => (k >= 60 ? 0.2 : 0)));
  t.is(late.verdict, 'direction only');
  t.is(late.parts[0]!.estimate, 60);
  t.is(c6(liftSdpoCurves(runs, () => -0.2)).verdict, 'not supported');
  t.is(c6(liftSdpoCurves(runs, () => 0)).verdict, 'inconclusive');
});

test("claim 4 reads Page's trend over channels: predicted order, reversed order, and no order", (t) => {
  const base = syntheticRuns({ seeds: seeds(12), methods: ['sdpo'], feedbacks: ['critique', 'continuous', 'ordinal', 'binary'], noises: [0], runSd: { sdpo: 0.002 }, seed: 8 });
  const c4 = (rs: StudyRun[]) => analyzeStudy(rs, { bootstrapResamples: 10 }).claims.find((c) => c.id === 4)!;
  t.is(c4(base).verdict, 'supported');
  const reversed = base.map((r) => ({ ...r, summary: { ...r.summary, finalReward: 1 - r.summary.finalReward } }));
  t.is(c4(reversed).verdict, 'not supported');
  // Same value for every channel of a seed: all ranks tie, no trend either way.
  const flat = base.map((r) => ({ ...r, summary: { ...r.summary, finalReward: 0.5 + r.config.seed / 100 } }));
  t.is(c4(flat).verdict, 'inconclusive');
});

test('claim 7 grades "matches" by an equivalence margin and the entropy gap by the generic rule', (t) => {
  const base = syntheticRuns({ ...SMALL, methods: ['sdpo', 'hybrid'], runSd: { sdpo: 0.01, hybrid: 0.01 } });
  const sd = new Map(base.filter((r) => r.config.method === 'sdpo').map((r) => [`${r.config.seed}|${r.config.feedback}|${r.config.noise}`, r]));
  /** Hybrid = SDPO of the same seed, shifted by (reward, entropy) plus a little seed-level jitter. */
  const hybridAt = (dr: number, de: number): StudyRun[] =>
    base.map((r) => {
      if (r.config.method !== 'hybrid') return r;
      const s = sd.get(`${r.config.seed}|${r.config.feedback}|${r.config.noise}`)!;
      const j = ((r.config.seed * 37) % 7) / 7000;
      return { ...r, summary: { ...r.summary, finalReward: s.summary.finalReward + dr + j, entropyFinal: s.summary.entropyFinal + de + j } };
    });
  const c7 = (rs: StudyRun[]) => analyzeStudy(rs, { bootstrapResamples: 10 }).claims.find((c) => c.id === 7)!;
  t.is(c7(hybridAt(0, 0.07)).verdict, 'supported');
  t.is(c7(hybridAt(0, 0.3)).verdict, 'direction only');
  t.is(c7(hybridAt(-0.1, 0.07)).verdict, 'not supported');
  t.is(c7(hybridAt(0, -0.07)).verdict, 'not supported');
});
