/**
 * `@sdpo/report`: study reports — figures rendered server-side from
 * Vega-Lite specs to SVG, and the report folder (index.html, report.md,
 * summary.json, runs.csv, figures/*.svg).
 */
export { buildReport, writeReport, ReportError, type ReportFiles, type ReportInput, type ReportSummary } from './report.js';
export { renderSvg, RenderError, THEME } from './render.js';
export {
  figureSpecs, renderFigures, MAX_DOTS_PER_CELL,
  type Figure, type FigureData, type CurvePoint, type CellPoint, type SeedPoint, type KappaFigurePoint, type ClaimFigurePart,
} from './figures.js';
export { figureData, focusNoise, kappaFigurePoints, claimFigureParts } from './data.js';
export { runsCsv, toCsv } from './csv.js';
export { fmt, fmtCI, fmtP, fmtPct, fmtRange } from './format.js';
export { syntheticRuns, syntheticAnalysis, type SyntheticSpec } from './synthetic.js';
