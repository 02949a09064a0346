/**
 * Seed planning for paired designs (spec §4): power of the two-sided paired
 * t-test from the noncentral t distribution.
 */
import { nctCdf, normalQuantile, tQuantile } from './dist.js';

/**
 * Power of a two-sided one-sample/paired t-test with `n` pairs to detect a
 * true mean difference `difference` when the differences have SD `sdDiff`:
 * P(T' > t_c) + P(T' < −t_c), T' ~ nct(n − 1, δ = difference/sdDiff·√n),
 * t_c = t_{1−α/2, n−1}.
 */
export function pairedTPower(n: number, difference: number, sdDiff: number, alpha = 0.05): number {
  if (n < 2) return 0;
  const df = n - 1;
  const delta = (difference / sdDiff) * Math.sqrt(n);
  const tc = tQuantile(1 - alpha / 2, df);
  return nctCdf(tc, df, delta, true) + nctCdf(-tc, df, delta, false);
}

/** Largest number of seeds the planner will search. */
export const MAX_PLANNED_SEEDS = 100000;

/**
 * Smallest number of seeds (pairs) for which the two-sided paired t-test at
 * level `alpha` reaches `power` against `difference`, given the pilot SD of
 * the paired differences. Null when even {@link MAX_PLANNED_SEEDS} is not
 * enough (or the inputs make the question empty: difference 0).
 */
export function planSeeds(difference: number, sdDiff: number, power = 0.8, alpha = 0.05): number | null {
  if (!(Math.abs(difference) > 0) || !Number.isFinite(sdDiff)) return null;
  if (sdDiff === 0) return 2;
  const ok = (n: number): boolean => pairedTPower(n, difference, sdDiff, alpha) >= power;
  // Start at the normal-approximation answer (within a few seeds of the exact
  // one), then walk: power is increasing in n.
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(power);
  let n = Math.min(MAX_PLANNED_SEEDS, Math.max(2, Math.ceil((z * sdDiff / Math.abs(difference)) ** 2)));
  if (ok(n)) {
    while (n > 2 && ok(n - 1)) n--;
    return n;
  }
  // Below the answer: grow geometrically, then bisect.
  let lo = n;
  let step = 1;
  let hi = n + 1;
  while (!ok(hi)) {
    lo = hi;
    step *= 2;
    hi = Math.min(MAX_PLANNED_SEEDS, lo + step);
    if (lo >= MAX_PLANNED_SEEDS) return null;
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
