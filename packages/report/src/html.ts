import { cellText, numberFigures, type Block, type Cellish, type ReportDocument, type TableBlock } from './document.js';
import type { Figure } from './figures.js';
import { esc } from './format.js';
import { VERDICT_STYLE } from './labels.js';

/**
 * The page forbids every load (`default-src 'none'`): it must open from disk
 * with no network, and a stray external reference shows up as a console error
 * in the browser test instead of silently fetching.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const verdictCss = Object.entries(VERDICT_STYLE)
  .map(([k, v]) => `.v-${k}{background:${v.bg};color:${v.fg};font-weight:600}`)
  .join('\n');

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;line-height:1.45;font-size:14px}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:24px;margin:8px 0 4px}
h2{font-size:19px;margin:36px 0 10px;padding-bottom:4px;border-bottom:1px solid #ccc}
.subtitle{color:#555;margin:0 0 16px}
nav ol{columns:2;margin:8px 0 0;padding-left:20px}
nav a,a{color:#0b5394;text-decoration:none}
p{max-width:900px}
figure{margin:22px 0 30px;page-break-inside:avoid}
figure .svg{overflow-x:auto}
figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;color:#333;max-width:900px;margin-top:6px}
figcaption b{color:#000}
.tw{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:8px 0 18px;font-size:12.5px}
caption{text-align:left;font-weight:600;padding:4px 0 6px;font-size:13px}
th,td{border-bottom:1px solid #e2e2e2;padding:4px 8px;vertical-align:top;text-align:left}
th{border-bottom:2px solid #999;background:#fafafa;position:sticky;top:0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:hover{background:#f6f9ff}
details{margin:8px 0 14px}
summary{cursor:pointer;color:#0b5394;font-weight:600;font-size:13px}
ul.list li{margin:3px 0}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border-radius:3px;font-size:12px}
${verdictCss}
@media print{nav{display:none}details{display:block}}
`;

function cellHtml(c: Cellish, tag: 'td' | 'th'): string {
  if (typeof c === 'string') return `<${tag}>${esc(c)}</${tag}>`;
  const cls = [c.num ? 'num' : '', c.verdict ? `v-${c.verdict}` : ''].filter(Boolean).join(' ');
  return `<${tag}${cls ? ` class="${cls}"` : ''}>${esc(cellText(c))}</${tag}>`;
}

function tableHtml(t: TableBlock): string {
  const head = `<thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
  const body = `<tbody>${t.rows.map((r) => `<tr>${r.map((c) => cellHtml(c, 'td')).join('')}</tr>`).join('\n')}</tbody>`;
  // Wide tables scroll inside their own box instead of widening the page.
  const table = `<div class="tw"><table id="${esc(t.id)}"><caption>${esc(t.caption)}</caption>${head}\n${body}</table></div>`;
  return t.collapsed ? `<details><summary>${esc(t.caption)} (${t.rows.length} rows)</summary>\n${table}\n</details>` : table;
}

function blockHtml(b: Block, figures: ReadonlyMap<string, { fig: Figure; number: number }>): string {
  switch (b.kind) {
    case 'p':
      return `<p>${esc(b.text)}</p>`;
    case 'list':
      return `<ul class="list">${b.items.map((i) => `<li>${esc(i)}</li>`).join('\n')}</ul>`;
    case 'table':
      return tableHtml(b);
    case 'figure': {
      const f = figures.get(b.name);
      if (!f) return '';
      return `<figure id="fig-${esc(f.fig.name)}"><div class="svg">${f.fig.svg}</div><figcaption><b>Figure ${f.number}. ${esc(f.fig.title)}.</b> ${esc(f.fig.caption)}</figcaption></figure>`;
    }
  }
}

/** Renders the document as one self-contained HTML page: inline CSS, figures as inline SVG, no scripts, no external references. */
export function renderHtml(doc: ReportDocument, figures: readonly Figure[]): string {
  const numbered = numberFigures(doc, figures);
  const legend = `<p class="legend">Verdicts: ${Object.entries(VERDICT_STYLE)
    .map(([k, v]) => `<span class="v-${k}">${esc(v.label)}</span>`)
    .join('')}</p>`;
  const nav = `<nav><b>Contents</b><ol>${doc.sections.map((s) => `<li><a href="#${esc(s.id)}">${esc(s.title)}</a></li>`).join('')}</ol></nav>`;
  const sections = doc.sections
    .map((s) => {
      const body = s.blocks.map((b) => blockHtml(b, numbered)).join('\n');
      return `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.id === 'claims' ? legend : ''}${body}</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(doc.title)}</h1>
<p class="subtitle">${esc(doc.subtitle)}</p>
${nav}
${sections}
</main>
</body>
</html>
`;
}
