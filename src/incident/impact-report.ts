// `netprobe impact` output: text for a terminal, Markdown for a pull-request comment, JSON for tools, one
// HTML page, and JUnit / TAP for CI (a newly denied path is a failing test: it is what breaks). Newly denied paths first: they are what breaks. Pure: impact in, text out.
import type { ImpactPath, ImpactPort, ImpactResult } from '../policy/impact.ts';
import { escapeHtml } from '../report/html.ts';
import { mdCell } from '../report/markdown.ts';
import { xmlAttr, xmlText } from '../report/junit.ts';
import { tapDescription, yamlBlock } from '../report/tap.ts';

export const IMPACT_FORMATS = ['text', 'json', 'markdown', 'html', 'junit', 'tap'] as const;
export type ImpactFormat = (typeof IMPACT_FORMATS)[number];
export const IMPACT_SCHEMA_VERSION = 'netprobe.dev/impact/v1';

export interface ImpactReport {
  /** What changed: the policy keys, and deletions. */
  changed: string[];
  /** Where the current state came from. */
  origin: string;
  result: ImpactResult;
}

export function portsText(ports: readonly ImpactPort[]): string {
  const byProto = new Map<string, number[]>();
  for (const p of ports) byProto.set(p.protocol, [...(byProto.get(p.protocol) ?? []), p.port]);
  return [...byProto].map(([proto, list]) => `${list.join(',')}/${proto}`).join(' ');
}

function countLine(r: ImpactReport): string {
  const denied = r.result.paths.filter((p) => p.change === 'newly-denied').length;
  const allowed = r.result.paths.length - denied;
  const c = r.result.counts;
  return `${denied} newly denied, ${allowed} newly allowed (${c.pairs} pairs of ${c.endpoints} endpoints judged, ${c.connections} connections)`;
}

function line(p: ImpactPath): string {
  const what = p.change === 'newly-denied' ? 'DENIED ' : 'ALLOWED';
  return `${what}  ${p.from.label} -> ${p.to.label}  ${portsText(p.ports)}  by ${p.policies.join(', ') || 'the change'}`;
}

function text(r: ImpactReport): string {
  const out = [`netprobe impact of ${r.changed.join(', ')} on ${r.origin}: ${countLine(r)}`];
  for (const p of r.result.paths) {
    out.push(line(p));
    if (p.change === 'newly-denied') out.push(`         ${p.reason}`);
  }
  if (r.result.paths.length === 0) out.push('no path changes: every pair keeps its answer');
  return `${out.join('\n')}\n`;
}

function markdown(r: ImpactReport): string {
  const out = [`### netprobe impact: ${mdCell(r.changed.join(', '))}`, '', `On ${mdCell(r.origin)}: ${countLine(r)}.`, ''];
  if (r.result.paths.length === 0) return `${[...out, 'No path changes: every pair keeps its answer.'].join('\n')}\n`;
  out.push('| change | from | to | ports | policy | why (denied side) |', '| --- | --- | --- | --- | --- | --- |');
  for (const p of r.result.paths) {
    const change = p.change === 'newly-denied' ? '**newly denied**' : 'newly allowed';
    out.push(`| ${change} | ${mdCell(p.from.label)} | ${mdCell(p.to.label)} | ${mdCell(portsText(p.ports))} | ${mdCell(p.policies.join(', '))} | ${mdCell(p.reason)} |`);
  }
  return `${out.join('\n')}\n`;
}

function json(r: ImpactReport): string {
  const paths = r.result.paths.map((p) => ({
    change: p.change,
    from: { kind: p.from.kind, label: p.from.label },
    to: { kind: p.to.kind, label: p.to.label },
    ports: p.ports,
    policies: p.policies,
    reason: p.reason,
  }));
  return `${JSON.stringify({ schemaVersion: IMPACT_SCHEMA_VERSION, changed: r.changed, origin: r.origin, counts: r.result.counts, paths }, null, 2)}\n`;
}

function html(r: ImpactReport): string {
  const rows = r.result.paths
    .map((p) => `<tr class="${p.change}"><td>${p.change}</td><td>${escapeHtml(p.from.label)}</td><td>${escapeHtml(p.to.label)}</td><td>${escapeHtml(portsText(p.ports))}</td><td>${escapeHtml(p.policies.join(', '))}</td><td>${escapeHtml(p.reason)}</td></tr>`)
    .join('\n');
  const title = `netprobe impact: ${r.changed.join(', ')}`;
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;padding:.3em .6em;text-align:left}.newly-denied td:first-child{color:#b00;font-weight:bold}.newly-allowed td:first-child{color:#070}</style>
<h1>${escapeHtml(title)}</h1>
<p>On ${escapeHtml(r.origin)}: ${escapeHtml(countLine(r))}.</p>
<table>
<tr><th>change</th><th>from</th><th>to</th><th>ports</th><th>policy</th><th>why (denied side)</th></tr>
${rows}
</table>
</html>
`;
}

function pathName(p: ImpactPath): string {
  return `${p.change} ${p.from.label} -> ${p.to.label} ${portsText(p.ports)}`;
}

function junit(r: ImpactReport): string {
  const denied = r.result.paths.filter((p) => p.change === 'newly-denied').length;
  const cases = r.result.paths.map((p) => {
    const head = `    <testcase classname="impact" name="${xmlAttr(pathName(p))}">`;
    const why = `by ${p.policies.join(', ')}: ${p.reason}`;
    if (p.change === 'newly-allowed') return `${head}\n      <system-out>${xmlText(why)}</system-out>\n    </testcase>`;
    return `${head}\n      <failure type="newly-denied" message="${xmlAttr(`the change denies a path allowed now, by ${p.policies.join(', ')}`)}">${xmlText(why)}</failure>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="netprobe impact" tests="${r.result.paths.length}" failures="${denied}">`,
    `  <testsuite name="${xmlAttr(`impact of ${r.changed.join(', ')}`)}" tests="${r.result.paths.length}" failures="${denied}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function tap(r: ImpactReport): string {
  const out = ['TAP version 14', `1..${r.result.paths.length}`];
  r.result.paths.forEach((p, i) => {
    out.push(`${p.change === 'newly-denied' ? 'not ok' : 'ok'} ${i + 1} - ${tapDescription(pathName(p))}`);
    out.push(...yamlBlock({ change: p.change, policies: p.policies, reason: p.reason }));
  });
  return `${out.join('\n')}\n`;
}

export function renderImpact(r: ImpactReport, format: ImpactFormat): string {
  switch (format) {
    case 'text':
      return text(r);
    case 'json':
      return json(r);
    case 'markdown':
      return markdown(r);
    case 'html':
      return html(r);
    case 'junit':
      return junit(r);
    case 'tap':
      return tap(r);
  }
}
