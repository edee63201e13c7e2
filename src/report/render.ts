// One entry point for every format: render a report as table, json, junit, tap, markdown, html, github
// (workflow annotations) or github-output (step outputs). Every format
// gets the report with its secrets redacted (header values, URL userinfo and query values), so no saved
// report, not even JSON read back by `netprobe report`, can hand them out.
import { redactDeep } from '../util/redact.ts';
import type { Report } from '../verdict/model.ts';
import type { TextStyle } from './color.ts';
import { render as renderGithub, renderOutputs as renderGithubOutputs } from './github.ts';
import { render as renderHtml } from './html.ts';
import { render as renderJson } from './json.ts';
import { render as renderJunit } from './junit.ts';
import { render as renderMarkdown } from './markdown.ts';
import { render as renderTable } from './table.ts';
import { render as renderTap } from './tap.ts';

export const FORMATS = ['table', 'json', 'junit', 'tap', 'markdown', 'html', 'github', 'github-output'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(name: string): name is Format {
  return (FORMATS as readonly string[]).includes(name);
}

/** Renders `report` in `format`; `style` applies to the table only (the others never use colour). */
export function renderReport(format: Format, unredacted: Report, style: Partial<TextStyle> = {}): string {
  const report = redactDeep(unredacted);
  switch (format) {
    case 'table':
      return renderTable(report, style);
    case 'json':
      return renderJson(report);
    case 'junit':
      return renderJunit(report);
    case 'tap':
      return renderTap(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
    case 'github':
      return renderGithub(report);
    case 'github-output':
      return renderGithubOutputs(report);
  }
}
