// The HTML report: one self-contained page (no fetches, works from file:// and as a CI artifact) with a
// summary header, a graph of namespaces, workloads and outside hosts, a truth table, filters and details.
// The page's script (html-client.ts) builds every view from the report, which goes in as JSON inside a
// <script type="application/json"> element; the script only ever sets text, never markup, so nothing in
// a result can inject into the page. The graph layout is hand-written (about 120 lines of the script):
// namespaces are boxes packed in rows, workloads a grid inside each; see docs/report-format.md for why no
// layout library is inlined.
import { VERSION } from '../util/version.ts';
import type { Report, Result } from '../verdict/model.ts';
import { countsText, nodeOf, verdictOf, type Endpoint } from './common.ts';
import { CLIENT_SCRIPT, CLIENT_STYLE } from './html-client.ts';

/** One end of an edge: a workload (or selector, Service, host) label within its namespace ('' = outside). */
export type GraphNode = Endpoint;

export type PageKind = 'report' | 'matrix';

/** What the page's script reads: the report, plus the graph's nodes (results refer to them by index). */
export interface PageData {
  /** `matrix`: the results are netprobe matrix's deny probes, shown as reachable / blocked / unknown. */
  kind: PageKind;
  version: string;
  run: Report['run'];
  summary: Report['summary'];
  findings: NonNullable<Report['findings']>;
  nodes: GraphNode[];
  results: (Result & { s: number; d: number })[];
}

/** The report as the page reads it: every distinct source and destination becomes one node. */
export function pageData(report: Report, version: string = VERSION, kind: PageKind = 'report'): PageData {
  const nodes: GraphNode[] = [];
  const index = new Map<string, number>();
  const indexOf = (node: GraphNode): number => {
    const key = `${node.ns}\u0000${node.label}`;
    let i = index.get(key);
    if (i === undefined) {
      i = nodes.push(node) - 1;
      index.set(key, i);
    }
    return i;
  };
  const results = report.results.map((r) => ({
    ...r,
    s: indexOf(nodeOf(r.source, r.sourceNamespace)),
    d: indexOf(nodeOf(r.destination, r.destinationNamespace)),
  }));
  return { kind, version, run: report.run, summary: report.summary, findings: report.findings ?? [], nodes, results };
}

/**
 * JSON that can sit inside a <script> element: every `<` becomes `\u003c`, so no `</script>` or `<!--`
 * in a result can end the element early; JSON.parse reads the escape back as `<`.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** Text for an HTML text node or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function render(report: Report, version: string = VERSION, kind: PageKind = 'report'): string {
  const title = kind === 'matrix' ? `netprobe matrix: ${report.summary.total} paths` : `netprobe ${verdictOf(report.summary)}: ${countsText(report.summary)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="netprobe ${escapeHtml(version)}">
<title>${escapeHtml(title)}</title>
<style>${CLIENT_STYLE}</style>
</head>
<body>
<noscript><p>This report needs JavaScript to draw its views; the data is in the np-data element of this file.</p></noscript>
<script type="application/json" id="np-data">${scriptSafeJson(pageData(report, version, kind))}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
