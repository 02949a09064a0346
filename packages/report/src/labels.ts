import { FEEDBACKS, METHODS } from '@sdpo/sim';

const METHOD_LABELS: Record<string, string> = {
  reinforce: 'REINFORCE',
  rloo: 'RLOO',
  grpo: 'GRPO',
  sdpo: 'SDPO',
  hybrid: 'Hybrid',
  'hint-reinforce': 'Hint-REINFORCE',
  oracle: 'Oracle',
};

/**
 * One color per method, the same in every figure. Okabe–Ito colors (readable
 * with the common color-vision deficiencies); SDPO gets the strongest one.
 */
const METHOD_COLORS: Record<string, string> = {
  reinforce: '#7f7f7f',
  rloo: '#56B4E9',
  grpo: '#009E73',
  sdpo: '#D55E00',
  hybrid: '#CC79A7',
  'hint-reinforce': '#E69F00',
  oracle: '#0072B2',
};

const FEEDBACK_LABELS: Record<string, string> = {
  critique: 'Critique',
  continuous: 'Continuous',
  ordinal: 'Ordinal',
  binary: 'Binary',
};

/** Display name of a method ("sdpo" → "SDPO"); unknown names pass through. */
export function methodLabel(m: string): string {
  return METHOD_LABELS[m] ?? m;
}

/** Display name of a feedback channel ("binary" → "Binary"). */
export function feedbackLabel(f: string): string {
  return FEEDBACK_LABELS[f] ?? f;
}

function ordered(known: readonly string[], present: Iterable<string>): string[] {
  const set = new Set(present);
  const first = known.filter((k) => set.has(k));
  const rest = [...set].filter((k) => !known.includes(k)).sort();
  return [...first, ...rest];
}

/** Methods present, in the canonical order of `METHODS` (unknown ones last, by name). */
export function orderMethods(present: Iterable<string>): string[] {
  return ordered(METHODS, present);
}

/** Channels present, richest first (critique, continuous, ordinal, binary). */
export function orderFeedbacks(present: Iterable<string>): string[] {
  return ordered(FEEDBACKS, present);
}

/** A Vega-Lite color scale mapping method labels to their fixed colors. */
export function methodColorScale(methods: readonly string[]): { domain: string[]; range: string[] } {
  const fallback = ['#999933', '#882255', '#44AA99', '#332288'];
  return {
    domain: methods.map(methodLabel),
    range: methods.map((m, i) => METHOD_COLORS[m] ?? fallback[i % fallback.length]!),
  };
}

/** Verdict words of spec §5 and their colors (background, text). */
export const VERDICT_STYLE: Record<string, { bg: string; fg: string; label: string }> = {
  supported: { bg: '#d9f0d3', fg: '#1b5e20', label: 'supported' },
  'direction-only': { bg: '#fff3c4', fg: '#7a5a00', label: 'direction only' },
  'not-supported': { bg: '#f8d0d0', fg: '#8e1b1b', label: 'not supported' },
  inconclusive: { bg: '#e8e8e8', fg: '#444', label: 'inconclusive' },
};

/** Normalizes a verdict spelling ("direction only", "direction_only") to a key of {@link VERDICT_STYLE}. */
export function verdictKey(v: string): string {
  return v.toLowerCase().replace(/[\s_]+/g, '-');
}
