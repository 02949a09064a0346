import { cellText, numberFigures, type Block, type ReportDocument, type TableBlock } from './document.js';
import type { Figure } from './figures.js';
import { escMd } from './format.js';

function tableMd(t: TableBlock): string {
  const align = t.head.map((_, i) => (t.rows.some((r) => typeof r[i] === 'object' && r[i] !== null && (r[i] as { num?: boolean }).num) ? '---:' : '---'));
  const lines = [
    `**${escMd(t.caption)}**`,
    '',
    `| ${t.head.map(escMd).join(' | ')} |`,
    `| ${align.join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map((c) => escMd(cellText(c))).join(' | ')} |`),
  ];
  return lines.join('\n');
}

function blockMd(b: Block, figures: ReadonlyMap<string, { fig: Figure; number: number }>): string {
  switch (b.kind) {
    case 'p':
      return b.text;
    case 'list':
      return b.items.map((i) => `- ${i}`).join('\n');
    case 'table':
      return tableMd(b);
    case 'figure': {
      const f = figures.get(b.name);
      if (!f) return '';
      return `![Figure ${f.number}. ${f.fig.title}](figures/${f.fig.name}.svg)\n\n*Figure ${f.number}. ${f.fig.title}.* ${f.fig.caption}`;
    }
  }
}

/** Renders the document as Markdown: the same sections and tables as the HTML page, figures linked as `figures/NAME.svg`. */
export function renderMarkdown(doc: ReportDocument, figures: readonly Figure[]): string {
  const numbered = numberFigures(doc, figures);
  const parts = [`# ${doc.title}`, doc.subtitle, ...doc.sections.flatMap((s) => [`## ${s.title}`, ...s.blocks.map((b) => blockMd(b, numbered)).filter((x) => x !== '')])];
  return parts.join('\n\n') + '\n';
}
