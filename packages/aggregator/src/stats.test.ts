// Every statistic against scipy/numpy reference values (fixtures written by
// tools/gen-stat-fixtures.py). Tolerance: 1e-12 relative unless a test says
// otherwise and why; rational p-values and bootstrap intervals exactly.
import { readFileSync } from 'node:fs';
import test, { type ExecutionContext } from 'ava';
import { bcaInterval, percentileInterval, quantileHf7Sorted } from './bootstrap.js';
import { iqmSorted, mean, medianSorted, percentileSorted, sd, sorted, tInterval } from './describe.js';
import { fCdf, nctCdf, normalCdf, normalQuantile, tCdf, tQuantile } from './dist.js';
import { pairedTPower, planSeeds } from './power.js';
import { a12, benjaminiHochberg, cohenDz, hedgesG, holm, mannWhitney, oneSampleT, pageTrend, pairedT, pitmanMorgan, welchT, wilcoxon } from './hypothesis.js';

interface Fixture<C> {
  readonly meta: Record<string, string>;
  readonly cases: C[];
}
const load = <C>(name: string): Fixture<C> => JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as Fixture<C>;

/**
 * Compares many values, remembering the worst relative error (absolute below
 * 1e-300), and fails once at the end with the worst offender, so a failure
 * shows how far off the whole family is, not just the first value.
 */
class Tally {
  private worst = 0;
  private where = '';
  private count = 0;
  constructor(private readonly t: ExecutionContext, private readonly tol: number) {}
  check(actual: number, expected: number, what: string): void {
    this.count++;
    const diff = Math.abs(actual - expected);
    const err = actual === expected ? 0 : diff / Math.max(Math.abs(expected), 1e-300);
    if (!(err <= this.worst) || Number.isNaN(err)) {
      this.worst = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
      this.where = `${what}: got ${actual}, reference ${expected}`;
    }
  }
  done(): void {
    this.t.log(`${this.count} values, worst relative error ${this.worst.toExponential(2)}${this.worst > 0 ? ` (${this.where})` : ''}`);
    this.t.true(this.count > 0 && this.worst <= this.tol, `worst relative error ${this.worst.toExponential(2)} > ${this.tol}: ${this.where}`);
  }
}

const REL = 1e-12;

test('t, normal and F distribution functions match scipy to 1e-12 relative', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ fn: string; args: number[]; value: number }>('distributions');
  const fns: Record<string, (...a: number[]) => number> = {
    tCdf: (x, df) => tCdf(x!, df!),
    tQuantile: (p, df) => tQuantile(p!, df!),
    normalCdf: (x) => normalCdf(x!),
    normalQuantile: (p) => normalQuantile(p!),
    fCdf: (x, a, b) => fCdf(x!, a!, b!),
  };
  for (const c of fx.cases) tl.check(fns[c.fn]!(...c.args), c.value, `${c.fn}(${c.args.join(', ')})`);
  tl.done();
});

test('the noncentral t CDF and survival function match 30-digit mpmath values to 1e-12 relative', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ args: [number, number, number]; cdfMp: number; sfMp: number }>('nct');
  for (const c of fx.cases) {
    const [x, df, delta] = c.args;
    // Tails below 1e-200 are not needed for power and quadrature cannot resolve them relatively.
    if (c.cdfMp > 1e-200) tl.check(nctCdf(x, df, delta), c.cdfMp, `nct.cdf(${c.args.join(', ')})`);
    if (c.sfMp > 1e-200) tl.check(nctCdf(x, df, delta, true), c.sfMp, `nct.sf(${c.args.join(', ')})`);
  }
  tl.done();
});

test('the noncentral t agrees with scipy.stats.nct to 1e-12 wherever scipy itself is within 1e-12 of mpmath', (t) => {
  // scipy's Boost nct drifts in small tails (2.5e-8 relative at cdf(-2, 299, 4) ≈ 1e-9);
  // there the test only asks that we are the closer of the two to mpmath.
  const tl = new Tally(t, REL);
  const fx = load<{ args: [number, number, number]; cdf: number; sf: number; cdfMp: number; sfMp: number }>('nct');
  let scipyOff = 0;
  for (const c of fx.cases) {
    const [x, df, delta] = c.args;
    for (const [ours, sc, mpv, name] of [
      [nctCdf(x, df, delta), c.cdf, c.cdfMp, 'cdf'],
      [nctCdf(x, df, delta, true), c.sf, c.sfMp, 'sf'],
    ] as const) {
      if (!(mpv > 1e-200) || Number.isNaN(sc)) continue;
      if (Math.abs(sc - mpv) <= REL * mpv) tl.check(ours, sc, `nct.${name}(${c.args.join(', ')})`);
      else {
        scipyOff++;
        t.true(Math.abs(ours - mpv) < Math.abs(sc - mpv), `nct.${name}(${c.args.join(', ')}): ours ${ours}, scipy ${sc}, mpmath ${mpv}`);
      }
    }
  }
  t.log(`${scipyOff} values where scipy is more than 1e-12 from mpmath`);
  tl.done();
});

test('the seed planner finds the smallest n reaching 80% power, as a brute-force search with the mpmath noncentral t does', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ difference: number; sdDiff: number; seeds: number; powerAt: [number, number][] }>('power');
  for (const c of fx.cases) {
    t.is(planSeeds(c.difference, c.sdDiff, 0.8), c.seeds, `Δ=${c.difference} sd=${c.sdDiff}`);
    for (const [n, p] of c.powerAt) tl.check(pairedTPower(n, c.difference, c.sdDiff), p, `power n=${n}`);
  }
  tl.done();
});

test('paired, one-sample and Welch t-tests match scipy statistics, p-values and intervals', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ kind: string; x: number[]; y?: number[]; mu?: number; t: number; df: number; p: number; ci: [number, number] }>('ttests');
  for (const c of fx.cases) {
    const r = c.kind === 'paired' ? pairedT(c.x, c.y!) : c.kind === 'welch' ? welchT(c.x, c.y!) : oneSampleT(c.x, c.mu!);
    const label = `${c.kind} n=${c.x.length}`;
    tl.check(r.t!, c.t, `${label} t`);
    tl.check(r.df, c.df, `${label} df`);
    tl.check(r.p, c.p, `${label} p`);
    tl.check(r.ci.lo, c.ci[0], `${label} ci.lo`);
    tl.check(r.ci.hi, c.ci[1], `${label} ci.hi`);
  }
  tl.done();
});

test('Wilcoxon signed-rank follows scipy auto rules: exact, exact permutation with ties or zeros, normal approximation', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ label: string; d: number[]; statistic: number; p: number }>('wilcoxon');
  const seen = new Set<string>();
  for (const c of fx.cases) {
    const r = wilcoxon(c.d);
    if (r === null) {
      t.fail(`${c.label}: null result`);
      continue;
    }
    seen.add(r.pMethod);
    t.is(r.statistic, c.statistic, `${c.label} statistic`);
    // Exact and permutation p-values are dyadic rationals: bit-identical.
    if (r.pMethod === 'normal-approximation') tl.check(r.p, c.p, `${c.label} p`);
    else t.is(r.p, c.p, `${c.label} p (${r.pMethod})`);
  }
  t.deepEqual([...seen].sort(), ['exact', 'exact-permutation', 'normal-approximation']);
  tl.done();
});

test('Mann-Whitney U matches scipy: exact without ties for small samples, tie-corrected normal approximation otherwise', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ label: string; x: number[]; y: number[]; statistic: number; p: number }>('mannwhitney');
  const seen = new Set<string>();
  for (const c of fx.cases) {
    const r = mannWhitney(c.x, c.y);
    seen.add(r.pMethod);
    t.is(r.statistic, c.statistic, `${c.label} U`);
    tl.check(r.p, c.p, `${c.label} p (${r.pMethod})`);
  }
  t.deepEqual([...seen].sort(), ['exact', 'normal-approximation']);
  tl.done();
});

test('Holm and Benjamini-Hochberg adjustments match the reference', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ p: number[]; holm: number[]; bh: number[] }>('multiplicity');
  for (const c of fx.cases) {
    holm(c.p).forEach((v, i) => tl.check(v, c.holm[i]!, `holm[${i}] of ${c.p.length}`));
    benjaminiHochberg(c.p).forEach((v, i) => tl.check(v, c.bh[i]!, `bh[${i}] of ${c.p.length}`));
  }
  tl.done();
});

test('effect sizes d_z, Hedges g and A12 match numpy formulas', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ x: number[]; y: number[]; hedgesG: number; a12: number; dz?: number }>('effects');
  for (const c of fx.cases) {
    tl.check(hedgesG(c.x, c.y)!, c.hedgesG, 'hedgesG');
    tl.check(a12(c.x, c.y), c.a12, 'a12');
    if (c.dz !== undefined) tl.check(cohenDz(c.x.map((v, i) => v - c.y[i]!))!, c.dz, 'dz');
  }
  tl.done();
});

test('mean, SD, t-interval, median, IQM and percentiles match numpy and scipy', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ x: number[]; mean: number; median: number; iqm: number; min: number; max: number; percentile: [number, number][]; sd?: number; ci?: [number, number] }>('descriptive');
  for (const c of fx.cases) {
    const s = sorted(c.x);
    const n = c.x.length;
    tl.check(mean(c.x), c.mean, `mean n=${n}`);
    t.is(medianSorted(s), c.median, `median n=${n}`);
    tl.check(iqmSorted(s), c.iqm, `iqm n=${n}`);
    t.is(s[0], c.min);
    t.is(s[n - 1], c.max);
    for (const [q, v] of c.percentile) t.is(percentileSorted(s, q), v, `percentile ${q} n=${n}`);
    if (c.sd !== undefined) tl.check(sd(c.x), c.sd, `sd n=${n}`);
    if (c.ci !== undefined) {
      const ci = tInterval(c.x)!;
      tl.check(ci.lo, c.ci[0], `ci.lo n=${n}`);
      tl.check(ci.hi, c.ci[1], `ci.hi n=${n}`);
    }
  }
  tl.done();
});

test('the Pitman-Morgan paired variance test matches scipy.stats.pearsonr on sums and differences', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ x: number[]; y: number[]; ratio: number; p: number }>('pitman');
  for (const c of fx.cases) {
    const r = pitmanMorgan(c.x, c.y);
    tl.check(r.ratio, c.ratio, 'ratio');
    tl.check(r.p, c.p, 'p');
    t.true(r.ci.lo < r.ratio && r.ratio < r.ci.hi);
  }
  tl.done();
});

test("Page's trend test matches scipy.stats.page_trend_test (asymptotic)", (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ rows: number[][]; L: number; p: number }>('page');
  for (const c of fx.cases) {
    const r = pageTrend(c.rows);
    t.is(r.L, c.L);
    tl.check(r.p, c.p, 'p');
  }
  tl.done();
});

test('percentile intervals and BCa quantiles equal numpy/scipy exactly given the same bootstrap distribution', (t) => {
  const fx = load<{ boot: number[]; bca: [number, number]; bcaLevels: [number, number]; percentile: [number, number] }>('bootstrap');
  for (const c of fx.cases) {
    const p = percentileInterval(c.boot);
    t.is(p.lo, c.percentile[0], `percentile lo B=${c.boot.length}`);
    t.is(p.hi, c.percentile[1], `percentile hi B=${c.boot.length}`);
    const s = sorted(c.boot);
    t.is(quantileHf7Sorted(s, c.bcaLevels[0]), c.bca[0], `BCa lo at scipy's level, B=${c.boot.length}`);
    t.is(quantileHf7Sorted(s, c.bcaLevels[1]), c.bca[1], `BCa hi at scipy's level, B=${c.boot.length}`);
  }
});

test('BCa intervals match scipy to 1e-12 relative (levels pass through Φ, Φ⁻¹ and a jackknife cubic sum, each an ulp or so from scipy)', (t) => {
  const tl = new Tally(t, REL);
  const fx = load<{ boot: number[]; thetaHat: number; jackknife: number[]; bca: [number, number]; bcaLevels: [number, number]; acceleration: number }>('bootstrap');
  for (const c of fx.cases) {
    const b = bcaInterval(c.boot, c.thetaHat, c.jackknife);
    tl.check(b.acceleration, c.acceleration, 'acceleration');
    tl.check(b.lo, c.bca[0], `BCa lo B=${c.boot.length}`);
    tl.check(b.hi, c.bca[1], `BCa hi B=${c.boot.length}`);
  }
  tl.done();
});
