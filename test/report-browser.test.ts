import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReport, syntheticAnalysis, syntheticRuns, writeReport } from '@sdpo/report';
import { decodePng, findChromium, pixelStats, visitPage } from './report-browser.js';

const INSPECT = `(() => {
  const svgs = [...document.querySelectorAll('figure svg')];
  const verdictCells = [...document.querySelectorAll('#claims-table td[class*="v-"]')];
  return {
    figures: svgs.length,
    drawn: svgs.filter((s) => { const r = s.getBoundingClientRect(); return r.width > 200 && r.height > 100; }).length,
    claimRows: document.querySelectorAll('#claims-table tbody tr').length,
    verdictColors: [...new Set(verdictCells.map((c) => getComputedStyle(c).backgroundColor))].length,
    external: [...document.querySelectorAll('[src],[href]')].map((e) => e.getAttribute('src') ?? e.getAttribute('href')).filter((u) => !u.startsWith('#')),
    height: document.documentElement.scrollHeight,
  };
})()`;

test.serial('the report opens from disk in headless Chromium without console errors and renders every figure', async (t) => {
  const chromium = findChromium();
  if (!chromium.ok) return t.fail(chromium.message);
  const dir = mkdtempSync(join(tmpdir(), 'sdpo-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const runs = syntheticRuns({ methods: ['reinforce', 'grpo', 'sdpo', 'hybrid'], feedbacks: ['critique', 'binary'], noises: [0, 0.2], seeds: 4, steps: 20 });
  const sens = syntheticRuns({ methods: ['reinforce', 'sdpo'], feedbacks: ['critique', 'binary'], noises: [0.1], seeds: 3, steps: 20, kappas: [0.5, 2, 8] });
  const files = await buildReport({ name: 'browser-test', runs, analysis: syntheticAnalysis(runs), sensitivityAnalysis: syntheticAnalysis(sens) });
  await writeReport(dir, files);
  const visit = await visitPage(chromium.path, pathToFileURL(join(dir, 'index.html')).href, INSPECT);
  t.deepEqual(visit.problems, [], `console: ${visit.console.join('\n')}`);
  const page = visit.evaluated as { figures: number; drawn: number; claimRows: number; verdictColors: number; external: string[]; height: number };
  const nFigures = Object.keys(files.figures).length;
  t.is(nFigures, 9);
  t.is(page.figures, nFigures);
  t.is(page.drawn, nFigures, 'every inline SVG has a real size on the page');
  t.is(page.claimRows, 9);
  t.is(page.verdictColors, 4, 'the four verdicts have four background colors');
  t.deepEqual(page.external, [], 'no src/href other than in-page anchors');
  const px = decodePng(visit.png);
  t.is(px.width, 1200);
  t.is(px.height, page.height);
  const { colors, inked } = pixelStats(px);
  t.true(colors > 200, `the screenshot has ${colors} distinct colors`);
  t.true(inked > 0.03, `the screenshot is ${(inked * 100).toFixed(1)}% non-white`);
});

test.serial('the browser check catches console errors and blocked external loads', async (t) => {
  const chromium = findChromium();
  if (!chromium.ok) return t.fail(chromium.message);
  const dir = mkdtempSync(join(tmpdir(), 'sdpo-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // The same CSP as the report: the external image must be refused, and say so.
  const page = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'"></head>
<body><p>x</p><img src="http://127.0.0.1:9/blocked.png"><script>console.error('sentinel-error')</script></body></html>`;
  const file = join(dir, 'bad.html');
  writeFileSync(file, page);
  const visit = await visitPage(chromium.path, pathToFileURL(file).href, 'document.title');
  t.true(visit.problems.some((p) => p.includes('sentinel-error')), visit.problems.join('\n'));
  t.true(visit.problems.some((p) => /Content Security Policy|blocked/i.test(p)), visit.problems.join('\n'));
});
