// Syntax rules for the values the language names: Kubernetes names and labels, ports, IPs, CIDRs, URLs.
// Each check returns a message (what is wrong, what was expected) or undefined when the value is fine.
// The regular expressions are shared with the JSON Schema through definitions.ts.
import { isIPv4, isIPv6 } from 'node:net';

const ALNUM_EDGE = '[A-Za-z0-9]';
/** A label value or the name part of a label key, without the length limit. */
export const LABEL_NAME_RE = `(${ALNUM_EDGE}[-A-Za-z0-9_.]*)?${ALNUM_EDGE}`;
export const DNS1123_LABEL_RE = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
export const DNS1123_SUBDOMAIN_RE = `${DNS1123_LABEL_RE}(\\.${DNS1123_LABEL_RE})*`;

export const PATTERNS = {
  dns1123Label: `^${DNS1123_LABEL_RE}$`,
  dns1123Subdomain: `^${DNS1123_SUBDOMAIN_RE}$`,
  dns1035Label: '^[a-z]([-a-z0-9]*[a-z0-9])?$',
  labelKey: `^(${DNS1123_SUBDOMAIN_RE}/)?${LABEL_NAME_RE}$`,
  labelValue: `^(${LABEL_NAME_RE})?$`,
  /** IANA service name (a named port) or a range `low-high`. */
  portString: '^((?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?|[0-9]{1,5}-[0-9]{1,5})$',
  endpointName: '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
  tag: '^[A-Za-z0-9][-A-Za-z0-9_.:/]*$',
  expectationName: '^[^,\\n\\r]*\\S[^,\\n\\r]*$',
  headerName: "^[-!#$%&'*+.^_`|~0-9A-Za-z]+$",
  httpPath: '^/[^\\s]*$',
  /** No control characters but tab (RFC 9110 field values): a CR or LF would end the header early. */
  headerValue: '^[^\\u0000-\\u0008\\u000A-\\u001F\\u007F]*$',
} as const;

const re = (p: string): RegExp => new RegExp(p);
const LABEL_NAME = re(`^${LABEL_NAME_RE}$`);
const SUBDOMAIN = re(PATTERNS.dns1123Subdomain);

/** A label key: optional DNS subdomain prefix (<= 253) and `/`, then a name (<= 63). */
export function checkLabelKey(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `label key ${JSON.stringify(key)} has an empty prefix before \`/\`; expected a DNS subdomain like example.com/name`;
    if (prefix.length > 253 || !SUBDOMAIN.test(prefix))
      return `label key prefix ${JSON.stringify(prefix)} is not a DNS subdomain; expected lowercase letters, digits, \`-\` and \`.\` (at most 253)`;
  }
  if (name.length === 0) return `label key ${JSON.stringify(key)} has an empty name; expected a name after the prefix`;
  if (name.length > 63) return `label key name ${JSON.stringify(name)} is ${name.length} characters long; expected at most 63`;
  if (!LABEL_NAME.test(name))
    return `label key ${JSON.stringify(key)} is not valid; expected letters, digits, \`-\`, \`_\` or \`.\`, starting and ending with a letter or digit`;
  return undefined;
}

export function checkLabelValue(value: string): string | undefined {
  if (value.length > 63) return `label value ${JSON.stringify(value)} is ${value.length} characters long; expected at most 63`;
  if (value !== '' && !LABEL_NAME.test(value))
    return `label value ${JSON.stringify(value)} is not valid; expected letters, digits, \`-\`, \`_\` or \`.\`, starting and ending with a letter or digit (or empty)`;
  return undefined;
}

/** A named port (IANA service name) or a range `low-high`; plain digits get a hint to drop the quotes. */
export function checkPortString(value: string): string | undefined {
  if (/^[0-9]+$/.test(value)) return `port ${JSON.stringify(value)} is a quoted number; expected a number without quotes (${value})`;
  const range = /^([0-9]+)-([0-9]+)$/.exec(value);
  if (range) {
    const low = Number(range[1]);
    const high = Number(range[2]);
    for (const p of [low, high]) if (p < 1 || p > 65535) return `port ${p} in range ${value} is outside 1-65535`;
    if (low > high) return `port range ${value} runs backwards; expected low-high like ${high}-${low}`;
    return undefined;
  }
  if (/^\s*[0-9]+\s*-\s*[0-9]+\s*$/.test(value)) return `port range ${JSON.stringify(value)} has spaces; expected low-high like 8000-8080`;
  if (value.length > 15) return `named port ${JSON.stringify(value)} is ${value.length} characters long; expected at most 15`;
  if (!/^[a-z0-9-]+$/.test(value) || !/[a-z]/.test(value) || value.startsWith('-') || value.endsWith('-') || value.includes('--'))
    return `${JSON.stringify(value)} is neither a named port (lowercase letters, digits and single \`-\`, at least one letter) nor a range like 8000-8080`;
  return undefined;
}

/** A DNS name (RFC 1123, case-insensitive, optional trailing dot) or an IPv4/IPv6 address. */
export function checkHost(value: string): string | undefined {
  if (isIPv4(value) || isIPv6(value)) return undefined;
  if (/^[0-9.]+$/.test(value)) return `${JSON.stringify(value)} is not a valid IPv4 address; expected four numbers 0-255 like 203.0.113.10`;
  if (value.includes(':')) {
    if (/^[^:/]+:[0-9]+$/.test(value)) return `host ${JSON.stringify(value)} includes a port; expected the host alone (put the port in \`port:\`)`;
    return `${JSON.stringify(value)} is not a valid IPv6 address or DNS name`;
  }
  if (value.includes('/')) return `host ${JSON.stringify(value)} contains \`/\`; expected a DNS name or IP (use \`cidr:\` for a range, \`url:\` for a URL)`;
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0 || name.length > 253) return `host ${JSON.stringify(value)} is not a valid DNS name; expected 1-253 characters`;
  for (const part of name.split('.')) {
    if (part.length === 0 || part.length > 63 || !/^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?$/.test(part))
      return `host ${JSON.stringify(value)} is not a valid DNS name or IP; expected labels of letters, digits and \`-\` separated by dots`;
  }
  return undefined;
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

function ipv6Bytes(ip: string): number[] {
  let text = ip;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    tail = ipv4Bytes(maybeV4);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length === 4) bytes.splice(12, 4, ...tail);
  return bytes;
}

function formatNetwork(bytes: number[], v6: boolean): string {
  if (!v6) return bytes.join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // Compress the longest run of zero words.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== '0') { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return words.join(':');
  return `${words.slice(0, bestStart).join(':')}::${words.slice(bestStart + bestLen).join(':')}`;
}

/** An IPv4 or IPv6 CIDR with no host bits set (10.0.0.0/8, not 10.0.0.1/8). */
export function checkCidr(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash < 0) {
    if (isIPv4(value)) return `CIDR ${JSON.stringify(value)} has no prefix length; expected ${value}/32 (or use \`host:\`)`;
    if (isIPv6(value)) return `CIDR ${JSON.stringify(value)} has no prefix length; expected ${value}/128 (or use \`host:\`)`;
    return `${JSON.stringify(value)} is not a CIDR; expected an address and prefix length like 10.0.0.0/8`;
  }
  const ip = value.slice(0, slash);
  const bitsText = value.slice(slash + 1);
  const v6 = isIPv6(ip);
  if (!v6 && !isIPv4(ip)) return `CIDR ${JSON.stringify(value)} has an invalid address ${JSON.stringify(ip)}; expected an IPv4 or IPv6 address`;
  const max = v6 ? 128 : 32;
  if (!/^[0-9]{1,3}$/.test(bitsText) || Number(bitsText) > max)
    return `CIDR ${JSON.stringify(value)} has prefix length ${JSON.stringify(bitsText)}; expected 0-${max}`;
  const bits = Number(bitsText);
  const bytes = v6 ? ipv6Bytes(ip) : ipv4Bytes(ip);
  const network = bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  if (network.some((b, i) => b !== bytes[i]))
    return `CIDR ${JSON.stringify(value)} has host bits set; expected the network address ${formatNetwork(network, v6)}/${bits}`;
  return undefined;
}

/** An absolute http:// or https:// URL with a host. */
export function checkUrl(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${JSON.stringify(value)} is not a URL; expected an absolute URL like http://api.payments.svc:8080/health`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `URL ${JSON.stringify(value)} has scheme ${JSON.stringify(url.protocol.slice(0, -1))}; expected http or https`;
  if (url.hostname === '') return `URL ${JSON.stringify(value)} has no host; expected one like http://api.payments.svc/`;
  if (url.username !== '' || url.password !== '') return `URL ${JSON.stringify(value)} contains credentials; expected none (use \`headers:\`)`;
  return undefined;
}

const CONTROL_NAMES: Record<string, string> = { '\r': 'a carriage return (CR)', '\n': 'a line feed (LF)', '\0': 'a NUL byte' };

/**
 * A header value without control characters. The message names the character and where it is, never the
 * value: header values are often credentials.
 */
export function checkHeaderValue(value: string): string | undefined {
  const at = value.search(/[\u0000-\u0008\u000A-\u001F\u007F]/);
  if (at < 0) return undefined;
  const ch = value[at]!;
  const what = CONTROL_NAMES[ch] ?? `control character U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  const hint = ch === '\n' && at === value.length - 1 ? '; a YAML block scalar `|` ends with a line feed, `|-` does not' : '';
  return `header value contains ${what} at character ${at + 1}; expected no control characters (a CR or LF would end the header and start another)${hint}`;
}

/** Checks a plain string against a pattern from PATTERNS. */
export function matches(pattern: string, value: string): boolean {
  return re(pattern).test(value);
}
