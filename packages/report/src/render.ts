import * as vega from 'vega';
import { compile, type Config, type TopLevelSpec } from 'vega-lite';

/**
 * Figure styling shared by every chart: system sans-serif fonts only (the
 * report must open offline), grey grid, titles and labels sized for a
 * supplementary-material page.
 */
export const THEME: Config = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#bbb' },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'normal',
    gridColor: '#e6e6e6',
    domainColor: '#777',
    tickColor: '#777',
  },
  header: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'normal', labelFontWeight: 'bold' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', orient: 'right' },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start' },
  line: { strokeWidth: 1.6 },
  point: { size: 28, filled: true },
};

/** Thrown when a spec cannot be compiled or rendered; a report bug, never user input. */
export class RenderError extends Error {
  readonly code = 'REPORT_RENDER_FAILED';
  constructor(
    readonly figure: string,
    options: { cause: unknown },
  ) {
    super(`could not render figure '${figure}': ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
    this.name = 'RenderError';
  }
}

/**
 * Renders a Vega-Lite spec to a standalone SVG string, headlessly (no canvas,
 * no DOM). Element ids are prefixed with `name` because several SVGs are
 * inlined into one HTML page, where vega's `clip1`, `gradient_0`… would
 * otherwise collide and clip one figure with another's rectangle.
 */
export async function renderSvg(name: string, spec: TopLevelSpec): Promise<string> {
  let view: vega.View | undefined;
  try {
    const withTheme = { ...spec, config: { ...THEME, ...(spec.config ?? {}) } } as TopLevelSpec;
    // Vega-Lite's warnings (e.g. about unioned facet domains) go to stderr by
    // default; a report run should print only what the caller prints.
    const compiled = compile(withTheme, { logger: vega.logger(vega.Error) }).spec;
    view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Error });
    const svg = await view.toSVG();
    return prefixIds(svg, safeId(name));
  } catch (cause) {
    throw new RenderError(name, { cause });
  } finally {
    view?.finalize();
  }
}

/** A string usable inside an XML id: letters, digits, `-` and `_`. */
export function safeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

function prefixIds(svg: string, prefix: string): string {
  // Renumbered in order of appearance as well: vega's clip and gradient
  // counters are process-global, and the report must be byte-identical
  // whatever was rendered before it.
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  const to = (id: string): string => ids.get(id) ?? `${prefix}-${id}`;
  return svg
    .replace(/\bid="([^"]+)"/g, (_m, id: string) => `id="${to(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${to(id)})`)
    .replace(/\bhref="#([^"]+)"/g, (_m, id: string) => `href="#${to(id)}"`);
}
