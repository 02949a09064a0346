import test from 'ava';
import { esc, escMd, fmt, fmtCI, fmtP, fmtPct } from './format.js';

test('numbers get three decimals in [−10, 10], fewer above, two significant figures when tiny', (t) => {
  t.is(fmt(0.123456), '0.123');
  t.is(fmt(-0.5), '−0.500');
  t.is(fmt(12.3456), '12.35');
  t.is(fmt(123.456), '123.5');
  t.is(fmt(12345.6), '12346');
  t.is(fmt(0.00012), '1.2e-4');
  t.is(fmt(0), '0');
  t.is(fmt(null), '—');
  t.is(fmt(Number.NaN), '—');
  t.is(fmt(Infinity), '∞');
  t.is(fmt(1.23456, 1), '1.2');
});

test('p-values keep two significant figures and floor at 1e-10', (t) => {
  t.is(fmtP(0.04321), '0.043');
  t.is(fmtP(0.004321), '0.0043');
  t.is(fmtP(0.0001234), '1.2e-4');
  t.is(fmtP(1e-12), '<1e-10');
  t.is(fmtP(0.999), '1.00');
  t.is(fmtP(null), '—');
});

test('intervals print as mean [lo, hi] and drop a missing interval', (t) => {
  t.is(fmtCI(0.5, 0.4, 0.6), '0.500 [0.400, 0.600]');
  t.is(fmtCI(0.5, null, null), '0.500');
  t.is(fmtCI(0.00099, -0.004, 0.006), '0.001 [−0.004, 0.006]');
  t.is(fmtCI(12.5, 9.5, 15.25), '12.50 [9.50, 15.25]');
  t.is(fmtPct(0.2234), '22.3%');
});

test('text is escaped for HTML and for Markdown table cells', (t) => {
  t.is(esc(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  t.is(escMd('a|b\nc'), 'a\\|b c');
});
