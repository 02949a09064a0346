#!/usr/bin/env python3
"""Writes the statistics reference fixtures of @sdpo/aggregator.

Every number the aggregator's tests compare against comes from scipy/numpy
here, so the tests need no Python. Inputs are drawn from a fixed numpy
Generator, so rerunning this script rewrites identical files (given the same
scipy/numpy versions, recorded in each file's `meta`).

    python3 tools/gen-stat-fixtures.py          # all families (about 4 min: mpmath)
    python3 tools/gen-stat-fixtures.py ttests   # only the named families

Needs numpy, scipy and mpmath (installed with scipy's usual stack). mpmath
supplies 30-digit noncentral t values because scipy.stats.nct (Boost) is
itself off by up to 2.5e-8 relative in small tails and returns NaN for some
large noncentralities; the tests record both and say which is which.
"""
import json
import os
import sys

import mpmath as mp
import numpy as np
import scipy
from scipy import stats
from scipy.special import ndtr, ndtri
from scipy.stats._resampling import _bca_interval

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'packages', 'aggregator', 'fixtures')
META = {'generator': 'tools/gen-stat-fixtures.py', 'scipy': scipy.__version__, 'numpy': np.__version__,
        'python': sys.version.split()[0]}
rng = np.random.default_rng(20260427)


def f(x):
    """JSON-safe float (no numpy scalars)."""
    return float(x)


def arr(a):
    return [float(v) for v in np.asarray(a).ravel()]


ONLY = set(sys.argv[1:])  # optional family names: regenerate only those


def want(name):
    return not ONLY or name in ONLY


def write(name, cases):
    if ONLY and name not in ONLY:
        return
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name + '.json'), 'w') as fh:
        json.dump({'meta': META, 'cases': cases}, fh, separators=(',', ':'))
        fh.write('\n')
    print(f'{name}: {len(cases)} cases')


# --- distributions ---------------------------------------------------------
dist = []
for df in [1, 2, 3, 4.5, 5, 9, 10, 29, 30, 58, 100, 1000]:
    for x in [-12.0, -4.0, -2.0452, -1.0, -0.3, 0.0, 0.25, 1.0, 1.7, 2.0452, 3.5, 8.0]:
        dist.append({'fn': 'tCdf', 'args': [x, df], 'value': f(stats.t.cdf(x, df))})
    for p in [1e-6, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975, 0.999]:
        dist.append({'fn': 'tQuantile', 'args': [p, df], 'value': f(stats.t.ppf(p, df))})
for x in [-30.0, -8.0, -3.0, -1.959963984540054, -1.0, -0.1, 0.0, 0.5, 1.0, 2.0, 5.0]:
    dist.append({'fn': 'normalCdf', 'args': [x], 'value': f(ndtr(x))})
for p in [1e-12, 1e-6, 0.001, 0.025, 0.1, 0.3, 0.5, 0.8, 0.975, 0.999999]:
    dist.append({'fn': 'normalQuantile', 'args': [p], 'value': f(ndtri(p))})
for d1, d2 in [(1, 1), (3, 7), (29, 29), (10, 100)]:
    for x in [0.05, 0.5, 1.0, 1.5, 3.0, 10.0]:
        dist.append({'fn': 'fCdf', 'args': [x, d1, d2], 'value': f(stats.f.cdf(x, d1, d2))})
write('distributions', dist)

# --- noncentral t ----------------------------------------------------------
# scipy.stats.nct (Boost) loses relative accuracy in small tails (e.g. 2.5e-8 at
# cdf(-2, 299, 4) ~ 1e-9) and returns NaN for some large noncentralities, so
# every case also carries a 30-digit mpmath value of the same mixture integral.
mp.mp.dps = 30


def nct_mp(x, nu, delta, upper=False):
    nu = mp.mpf(nu)
    x = mp.mpf(x)
    delta = mp.mpf(delta)
    logc = (nu / 2) * mp.log(nu) - (nu / 2 - 1) * mp.log(2) - mp.loggamma(nu / 2)
    phi = (lambda s: mp.ncdf(delta - x * s)) if upper else (lambda s: mp.ncdf(x * s - delta))
    fn = lambda s: phi(s) * mp.exp(logc + (nu - 1) * mp.log(s) - nu * s * s / 2)
    w = 1 / mp.sqrt(2 * nu)
    pts = sorted({mp.mpf(0)} | {max(mp.mpf(0), 1 + k * w) for k in (-12, -6, -3, -1, 0, 1, 3, 6, 12)})
    return mp.quad(fn, pts + [mp.inf])


if want('nct'):
    nct = []
    for df in [1, 2, 4, 9, 19, 29, 49, 99, 299, 999]:
        for delta in [0.0, 0.5, 1.5, 2.8, 4.0]:
            for x in [-2.0, 0.3, 1.0, 2.0452, 3.0, 6.0]:
                nct.append({'args': [x, df, delta], 'cdf': f(stats.nct.cdf(x, df, delta)), 'sf': f(stats.nct.sf(x, df, delta)),
                            'cdfMp': f(nct_mp(x, df, delta)), 'sfMp': f(nct_mp(x, df, delta, True))})
    write('nct', nct)

# power and seeds: brute force over n, with the mpmath noncentral t
if want('power'):
    power = []
    for diff, sdd in [(0.05, 0.1), (0.1, 0.1), (0.02, 0.08), (0.5, 0.3), (0.13, 0.2)]:
        def pw(n):
            dfn = n - 1
            tc = stats.t.ppf(0.975, dfn)
            delta = diff / sdd * np.sqrt(n)
            return nct_mp(tc, dfn, delta, True) + nct_mp(-tc, dfn, delta)
        n = 2
        while pw(n) < 0.8:
            n += 1
        power.append({'difference': diff, 'sdDiff': sdd, 'seeds': n,
                      'powerAt': [[m, f(pw(m))] for m in sorted({2, 5, 10, max(2, n - 1), n, 30})]})
    write('power', power)

# --- t-tests ---------------------------------------------------------------
ttests = []
for n in [2, 3, 5, 10, 30, 100]:
    x = rng.normal(0.6, 0.1, n)
    y = x - rng.normal(0.03, 0.05, n)
    r = stats.ttest_rel(x, y)
    ci = r.confidence_interval()
    ttests.append({'kind': 'paired', 'x': arr(x), 'y': arr(y), 't': f(r.statistic), 'df': f(r.df), 'p': f(r.pvalue),
                   'ci': [f(ci.low), f(ci.high)]})
    r1 = stats.ttest_1samp(x, 0.55)
    ci1 = r1.confidence_interval()
    ttests.append({'kind': 'one-sample', 'x': arr(x), 'mu': 0.55, 't': f(r1.statistic), 'df': f(r1.df), 'p': f(r1.pvalue),
                   'ci': [f(ci1.low - 0.55), f(ci1.high - 0.55)]})
for na, nb in [(2, 3), (5, 5), (7, 12), (30, 20), (100, 90)]:
    a = rng.normal(0.5, 0.1, na)
    b = rng.normal(0.45, 0.2, nb)
    r = stats.ttest_ind(a, b, equal_var=False)
    ci = r.confidence_interval()
    ttests.append({'kind': 'welch', 'x': arr(a), 'y': arr(b), 't': f(r.statistic), 'df': f(r.df), 'p': f(r.pvalue),
                   'ci': [f(ci.low), f(ci.high)]})
# a tiny p keeps its relative precision
x = rng.normal(1.0, 0.01, 30)
y = x - rng.normal(0.2, 0.01, 30)
r = stats.ttest_rel(x, y)
ci = r.confidence_interval()
ttests.append({'kind': 'paired', 'x': arr(x), 'y': arr(y), 't': f(r.statistic), 'df': f(r.df), 'p': f(r.pvalue),
               'ci': [f(ci.low), f(ci.high)]})
write('ttests', ttests)

# --- Wilcoxon signed-rank ----------------------------------------------------
wil = []


def wcase(label, d):
    d = np.asarray(d, dtype=float)
    r = stats.wilcoxon(d)
    wil.append({'label': label, 'd': arr(d), 'statistic': f(r.statistic), 'p': f(r.pvalue)})


for n in [5, 6, 8, 10, 13, 20, 30, 50]:
    wcase(f'exact n={n}', rng.normal(0.2, 1.0, n))
wcase('exact all positive n=7', np.abs(rng.normal(0, 1, 7)) + 0.01)
for n in [6, 9, 13]:
    d = np.round(rng.normal(0.3, 1.0, n), 0)
    d[d == 0] = 1.0  # ties without zeros
    wcase(f'ties n={n}', d)
    z = np.round(rng.normal(0.3, 1.0, n) * 2, 0) / 2  # ties and zeros
    if not np.any(z == 0):
        z[0] = 0.0
    if np.all(z == 0):
        z[1] = 1.0
    wcase(f'ties and zeros n={n}', z)
wcase('zeros without ties n=10', [0.0, 0.3, -0.1, 0.7, 1.2, -0.4, 0.9, 0.05, 0.0, 2.0])
for n in [14, 20, 40, 50]:
    d = np.round(rng.normal(0.3, 1.0, n) * 3, 0) / 3
    wcase(f'asymptotic ties n={n}', d)
for n in [51, 80, 200]:
    wcase(f'asymptotic n={n}', rng.normal(0.1, 1.0, n))
wcase('asymptotic zeros and ties n=60', np.round(rng.normal(0.1, 1.0, 60), 0))
write('wilcoxon', wil)

# --- Mann-Whitney U ----------------------------------------------------------
mw = []


def mcase(label, x, y):
    r = stats.mannwhitneyu(x, y)
    mw.append({'label': label, 'x': arr(x), 'y': arr(y), 'statistic': f(r.statistic), 'p': f(r.pvalue)})


for nx, ny in [(3, 4), (5, 5), (8, 8), (8, 30), (2, 20), (6, 3)]:
    mcase(f'exact {nx}x{ny}', rng.normal(0.3, 1, nx), rng.normal(0, 1, ny))
for nx, ny in [(9, 9), (30, 30), (12, 40)]:
    mcase(f'asymptotic {nx}x{ny}', rng.normal(0.3, 1, nx), rng.normal(0, 1, ny))
for nx, ny in [(5, 5), (30, 30), (4, 10)]:
    mcase(f'asymptotic ties {nx}x{ny}', np.round(rng.normal(0.5, 1, nx)), np.round(rng.normal(0, 1, ny)))
write('mannwhitney', mw)

# --- multiplicity --------------------------------------------------------------


def holm_ref(p):
    p = np.asarray(p, float)
    m = len(p)
    order = np.argsort(p, kind='stable')
    adj = np.empty(m)
    run = 0.0
    for k, i in enumerate(order):
        run = max(run, min(1.0, (m - k) * p[i]))
        adj[i] = run
    return adj


mult = []
for m in [1, 3, 8, 25]:
    p = rng.uniform(0, 0.2, m) ** 2
    mult.append({'p': arr(p), 'holm': arr(holm_ref(p)), 'bh': arr(stats.false_discovery_control(p, method='bh'))})
p = np.array([0.01, 0.04, 0.04, 0.03, 0.5, 0.0001, 1.0])
mult.append({'p': arr(p), 'holm': arr(holm_ref(p)), 'bh': arr(stats.false_discovery_control(p, method='bh'))})
write('multiplicity', mult)

# --- effect sizes and descriptive statistics ---------------------------------------
eff = []
for nx, ny, ties in [(5, 5, False), (30, 30, False), (10, 14, True), (30, 30, True)]:
    x = rng.normal(0.5, 0.1, nx)
    y = rng.normal(0.45, 0.12, ny)
    if ties:
        x = np.round(x, 1)
        y = np.round(y, 1)
    sp = np.sqrt(((nx - 1) * np.var(x, ddof=1) + (ny - 1) * np.var(y, ddof=1)) / (nx + ny - 2))
    g = (np.mean(x) - np.mean(y)) / sp * (1 - 3 / (4 * (nx + ny) - 9))
    gt = np.greater.outer(x, y).mean() + 0.5 * np.equal.outer(x, y).mean()
    case = {'x': arr(x), 'y': arr(y), 'hedgesG': f(g), 'a12': f(gt)}
    if nx == ny:
        d = x - y
        case['dz'] = f(np.mean(d) / np.std(d, ddof=1))
    eff.append(case)
write('effects', eff)

desc = []
for n in [1, 2, 3, 4, 5, 7, 8, 10, 30, 31]:
    x = rng.normal(0.5, 0.2, n)
    case = {'x': arr(x), 'mean': f(np.mean(x)), 'median': f(np.median(x)), 'iqm': f(stats.trim_mean(x, 0.25)),
            'min': f(np.min(x)), 'max': f(np.max(x)), 'percentile': [[q, f(np.percentile(x, q))] for q in (2.5, 25, 50, 97.5)]}
    if n >= 2:
        case['sd'] = f(np.std(x, ddof=1))
        ci = stats.ttest_1samp(x, 0).confidence_interval()
        case['ci'] = [f(ci.low), f(ci.high)]
    desc.append(case)
write('descriptive', desc)

# --- paired variance test (Pitman-Morgan via Pearson r of sums and differences) and Page's L ---------
var = []
for n in [10, 30]:
    x = rng.normal(0.6, 0.15, n)
    y = 0.5 * x + rng.normal(0.3, 0.05, n)
    pr = stats.pearsonr(x + y, x - y)
    var.append({'x': arr(x), 'y': arr(y), 'ratio': f(np.var(x, ddof=1) / np.var(y, ddof=1)), 'p': f(pr.pvalue)})
write('pitman', var)

page = []
for n, k in [(10, 4), (30, 4), (25, 3)]:
    data = rng.normal(0, 1, (n, k)) + np.arange(k) * 0.3
    r = stats.page_trend_test(data, method='asymptotic')
    page.append({'rows': [arr(row) for row in data], 'L': f(r.statistic), 'p': f(r.pvalue)})
write('page', page)

# --- bootstrap intervals from a given bootstrap distribution --------------------------
boot = []
for n, B in [(10, 1000), (30, 10000), (25, 999)]:
    x = rng.gamma(2.0, 0.2, n)
    theta_b = np.array([np.mean(rng.choice(x, n)) for _ in range(B)])
    theta_hat = np.mean(x)
    jack = np.array([np.mean(np.delete(x, i)) for i in range(n)])
    a1, a2, a_hat = _bca_interval((x,), lambda s, axis: np.mean(s, axis=axis), axis=-1, alpha=0.025,
                                  theta_hat_b=theta_b[np.newaxis, :].copy(), batch=None, xp=np)
    alphas = np.array([f(np.ravel(a1)[0]), f(np.ravel(a2)[0])])
    bca = stats.quantile(theta_b, alphas)
    pct = np.percentile(theta_b, [2.5, 97.5])
    boot.append({'x': arr(x), 'boot': arr(theta_b), 'thetaHat': f(theta_hat), 'jackknife': arr(jack),
                 'percentile': arr(pct), 'bca': arr(bca), 'bcaLevels': arr(alphas), 'acceleration': f(np.ravel(a_hat)[0])})
write('bootstrap', boot)
