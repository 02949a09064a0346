import test from 'ava';
import type { TopLevelSpec } from 'vega-lite';
import { RenderError, renderSvg } from './render.js';

const spec = (n: number): TopLevelSpec => ({
  data: { values: Array.from({ length: n }, (_, i) => ({ x: i, y: i * i })) },
  mark: 'point',
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
});

test('a Vega-Lite spec renders to a standalone SVG with one symbol per datum', async (t) => {
  const svg = await renderSvg('pts', spec(7));
  t.regex(svg, /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const group = /<g class="mark-symbol role-mark[^"]*"[^>]*>(.*?)<\/g>/s.exec(svg);
  t.is([...(group?.[1] ?? '').matchAll(/<path\b/g)].length, 7);
});

test('element ids are prefixed with the figure name so inlined SVGs do not share clip paths', async (t) => {
  // A clipped area mark makes vega emit a <clipPath id=…> and url(#…) references.
  const clipped: TopLevelSpec = { ...spec(5), mark: { type: 'area', clip: true } } as TopLevelSpec;
  const a = await renderSvg('fig one', clipped);
  const b = await renderSvg('fig-two', clipped);
  const ids = (s: string): string[] => [...s.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]!);
  t.true(ids(a).length > 0);
  t.true(ids(a).every((id) => id.startsWith('fig_one-')));
  t.true(ids(b).every((id) => id.startsWith('fig-two-')));
  for (const m of a.matchAll(/url\(#([^)]+)\)/g)) t.true(ids(a).includes(m[1]!), `${m[1]} resolves`);
  // vega numbers clips with a process-wide counter; the output must not depend on it.
  t.is(await renderSvg('fig one', clipped), a);
});

test('a spec vega cannot compile is reported as a RenderError naming the figure', async (t) => {
  const bad = { data: { values: [] }, mark: 'no-such-mark' } as unknown as TopLevelSpec;
  const err = await t.throwsAsync(renderSvg('broken', bad), { instanceOf: RenderError });
  t.is(err?.code, 'REPORT_RENDER_FAILED');
  t.regex(err?.message ?? '', /broken/);
});
