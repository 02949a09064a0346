import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeStudy, type AnalyzeOptions, type StudyAnalysis } from '@sdpo/aggregator';
import type { RunResult } from '@sdpo/sim';
import { reportDocument } from './content.js';
import { runsCsv } from './csv.js';
import { figureData } from './data.js';
import { renderFigures, type Figure } from './figures.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';

export interface ReportInput {
  /** The study's name (shown in the title). */
  readonly name: string;
  /** The main study's runs. */
  readonly runs: readonly RunResult[];
  /** Runs of the κ sensitivity sweep; gives the κ crossover section and figure. */
  readonly sensitivity?: readonly RunResult[];
  /** A precomputed analysis of `runs`; computed with `analyzeStudy` when absent. */
  readonly analysis?: StudyAnalysis;
  /** A precomputed analysis of `sensitivity`. */
  readonly sensitivityAnalysis?: StudyAnalysis;
  readonly options?: {
    /** Passed to `analyzeStudy` for whichever analysis is computed here. */
    readonly analyze?: AnalyzeOptions;
  };
}

/** The report's files, as contents; `figures` maps a figure name to its SVG. */
export interface ReportFiles {
  readonly 'index.html': string;
  readonly 'report.md': string;
  readonly 'summary.json': string;
  readonly 'runs.csv': string;
  /** The sensitivity sweep's per-run summaries, when the report has one. */
  readonly 'runs-sensitivity.csv'?: string;
  readonly figures: Readonly<Record<string, string>>;
}

/** The structure of `summary.json`. */
export interface ReportSummary {
  readonly schemaVersion: 1;
  readonly name: string;
  /** The main study's analysis, as `analyzeStudy` returned it. */
  readonly analysis: StudyAnalysis;
  /** The sensitivity sweep's analysis, or null without one. */
  readonly sensitivity: StudyAnalysis | null;
  readonly figures: readonly { readonly name: string; readonly title: string; readonly caption: string; readonly file: string }[];
}

/** Thrown for input a report cannot be made from (e.g. no runs). */
export class ReportError extends Error {
  readonly code: 'REPORT_NO_RUNS';
  constructor(code: 'REPORT_NO_RUNS', message: string) {
    super(message);
    this.name = 'ReportError';
    this.code = code;
  }
}

/**
 * Builds every file of a study report (spec aggregation.md §6) in memory:
 * analyses the runs unless an analysis is given, draws the figures from it
 * and writes the page, the Markdown, the JSON summary and the per-run CSV.
 * Deterministic: the same runs give byte-identical files (no timestamps, no timings).
 */
export async function buildReport(input: ReportInput): Promise<ReportFiles> {
  if (input.runs.length === 0) throw new ReportError('REPORT_NO_RUNS', `study '${input.name}' has no runs to report on; run the study first`);
  const analyzeOptions = input.options?.analyze ?? {};
  const analysis = input.analysis ?? analyzeStudy(input.runs, analyzeOptions);
  const sens = input.sensitivityAnalysis ?? (input.sensitivity && input.sensitivity.length > 0 ? analyzeStudy(input.sensitivity, analyzeOptions) : undefined);
  const figures: Figure[] = await renderFigures(figureData(analysis, input.runs, sens));
  const doc = reportDocument(input.name, analysis, figures, sens);
  const summary: ReportSummary = {
    schemaVersion: 1,
    name: input.name,
    analysis,
    sensitivity: sens ?? null,
    figures: figures.map((f) => ({ name: f.name, title: f.title, caption: f.caption, file: `figures/${f.name}.svg` })),
  };
  return {
    'index.html': renderHtml(doc, figures),
    'report.md': renderMarkdown(doc, figures),
    'summary.json': JSON.stringify(summary, null, 2) + '\n',
    'runs.csv': runsCsv(input.runs),
    ...(input.sensitivity && input.sensitivity.length > 0 ? { 'runs-sensitivity.csv': runsCsv(input.sensitivity) } : {}),
    figures: Object.fromEntries(figures.map((f) => [f.name, f.svg])),
  };
}

/**
 * Writes a report's files into `dir` (created if missing): index.html,
 * report.md, summary.json, runs.csv (and runs-sensitivity.csv with a sensitivity sweep) and figures/NAME.svg. Each file is written
 * to a temporary name and renamed, so a reader never sees half a file.
 * SVGs in figures/ that this report does not have are removed. Returns the
 * paths written.
 */
export async function writeReport(dir: string, files: ReportFiles): Promise<string[]> {
  await mkdir(join(dir, 'figures'), { recursive: true });
  const entries: [string, string][] = [
    ['index.html', files['index.html']],
    ['report.md', files['report.md']],
    ['summary.json', files['summary.json']],
    ['runs.csv', files['runs.csv']],
    ...(files['runs-sensitivity.csv'] !== undefined ? [['runs-sensitivity.csv', files['runs-sensitivity.csv']] as [string, string]] : []),
    ...Object.entries(files.figures).map(([name, svg]): [string, string] => [join('figures', `${name}.svg`), svg]),
  ];
  const written: string[] = [];
  for (const [rel, content] of entries) {
    const path = join(dir, rel);
    await writeFile(`${path}.tmp`, content, 'utf8');
    await rename(`${path}.tmp`, path);
    written.push(path);
  }
  // A figure or CSV an earlier report of this folder had and this one has not (e.g.
  // the κ figure without a sensitivity sweep) would otherwise linger beside it.
  if (files['runs-sensitivity.csv'] === undefined) await rm(join(dir, 'runs-sensitivity.csv'), { force: true });
  const keep = new Set(Object.keys(files.figures).map((n) => `${n}.svg`));
  for (const f of await readdir(join(dir, 'figures'))) {
    if (f.endsWith('.svg') && !keep.has(f)) await rm(join(dir, 'figures', f));
  }
  return written;
}
