// Text helpers shared by the reporters: make untrusted text safe to print, and measure it on a terminal.
// Result fields carry text from the cluster (pod names, HTTP bodies, error messages); none of it may
// smuggle terminal escapes, XML-illegal characters or broken surrogates into a report.

// With the `u` flag a surrogate pair is one code point, so the surrogate range matches lone halves only.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff]/gu;

/**
 * Replaces control characters (all but newline and tab), U+FFFE/U+FFFF and lone surrogates with a
 * visible escape such as `\x1b` (lone surrogates become U+FFFD). Line breaks (CRLF and CR become
 * LF) and tabs stay.
 */
export function visible(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(UNSAFE, (ch) => {
    const code = ch.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
    if (code > 0xff) return `\\u${code.toString(16).padStart(4, '0')}`;
    return `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/** `visible`, then every line break (CRLF, CR, LF) and tab as a single space: for one-line fields. */
export function oneLine(text: string): string {
  return visible(text.replace(/\r\n|\r|\n|\t/g, ' '));
}

/** Splits text into lines on CRLF, CR or LF. */
export function lines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

const ANSI_SGR = /\u001b\[[0-9;]*m/g;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\p{Cf}]/u;
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf && code !== 0x303f) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/** Columns the text takes on a terminal: colour codes and combining marks take none, CJK and emoji two. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text.replace(ANSI_SGR, '')) {
    const code = ch.codePointAt(0) ?? 0;
    if (ZERO_WIDTH.test(ch)) continue;
    width += isWide(code) || (code >= 0x1f000 && PICTOGRAPHIC.test(ch)) ? 2 : 1;
  }
  return width;
}

/** Cuts text (without colour codes) to at most `width` columns, ending in `…` when it had to cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = displayWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/**
 * Word-wraps one line of text to `width` columns. Words longer than a line are left whole (a URL or a
 * name must stay copyable), so a line may run over.
 */
export function wrap(text: string, width: number): string[] {
  const words = text.split(' ');
  const out: string[] = [];
  let line = '';
  for (const word of words) {
    if (line === '') line = word;
    else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`;
    else {
      out.push(line);
      line = word;
    }
  }
  out.push(line);
  return out;
}
