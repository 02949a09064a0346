/**
 * A small document model both the HTML page and the Markdown file are
 * rendered from, so the two carry the same tables by construction.
 */

/** A table cell: its text, and optionally a verdict key that colors it in HTML. */
export interface TableCell {
  readonly text: string;
  readonly verdict?: string;
  /** Right-align (numbers). */
  readonly num?: boolean;
}

export type Cellish = string | TableCell;

export interface TableBlock {
  readonly kind: 'table';
  readonly id: string;
  readonly caption: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly Cellish[])[];
  /** Long tables start folded in HTML (a `<details>`); Markdown shows them in full. */
  readonly collapsed?: boolean;
}

export type Block =
  | { readonly kind: 'p'; readonly text: string }
  | { readonly kind: 'list'; readonly items: readonly string[] }
  | { readonly kind: 'figure'; readonly name: string }
  | TableBlock;

export interface Section {
  readonly id: string;
  readonly title: string;
  readonly blocks: readonly Block[];
}

export interface ReportDocument {
  readonly title: string;
  readonly subtitle: string;
  readonly sections: readonly Section[];
}

export const cellText = (c: Cellish): string => (typeof c === 'string' ? c : c.text);

/** A numeric cell (right-aligned in HTML). */
export const num = (text: string): TableCell => ({ text, num: true });

/** Figures numbered 1, 2, … in the order the document first shows them (shared by HTML and Markdown). */
export function numberFigures<F extends { readonly name: string }>(doc: ReportDocument, figures: readonly F[]): Map<string, { fig: F; number: number }> {
  const numbered = new Map<string, { fig: F; number: number }>();
  let n = 0;
  for (const s of doc.sections) {
    for (const b of s.blocks) {
      if (b.kind !== 'figure') continue;
      const fig = figures.find((f) => f.name === b.name);
      if (fig && !numbered.has(fig.name)) numbered.set(fig.name, { fig, number: ++n });
    }
  }
  return numbered;
}
