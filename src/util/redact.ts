// Secrets stay out of everything netprobe prints or saves: header values, URL userinfo, query values and
// fragments become `<redacted>`. Header names and query keys stay, so a reader still sees what was sent.
// Redacting is idempotent: redacted text passes through unchanged. The probe itself sends the real values.

export const REDACTED = '<redacted>';

/** An http(s) URL inside free text, up to whitespace or a quote (Go's errors and shell lines quote URLs). */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s"'`]*/gi;

/** A curl header argument as reproduce lines write it: `-H 'Name: value'` (a `'` inside is `'\''`). */
const CURL_HEADER = /(-H '[^':]+: )(?:[^']|'\\'')*'/g;

/** `https://user:pw@host/p?token=abc#frag` -> `https://<redacted>@host/p?token=<redacted>#<redacted>`. */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (m === null) return url;
  const [, scheme = '', authority = '', rest = ''] = m;
  const at = authority.lastIndexOf('@');
  const host = at >= 0 ? `${REDACTED}@${authority.slice(at + 1)}` : authority;
  return scheme + host + redactQuery(rest);
}

/** `/p?token=abc&flag#frag` -> `/p?token=<redacted>&<redacted>#<redacted>`: a key without `=` may be a value. */
export function redactQuery(pathAndQuery: string): string {
  const hash = pathAndQuery.indexOf('#');
  const beforeHash = hash < 0 ? pathAndQuery : pathAndQuery.slice(0, hash);
  const fragment = hash < 0 ? '' : hash === pathAndQuery.length - 1 ? '#' : `#${REDACTED}`;
  const q = beforeHash.indexOf('?');
  if (q < 0) return beforeHash + fragment;
  const params = beforeHash
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const eq = p.indexOf('=');
      if (eq >= 0) return `${p.slice(0, eq)}=${REDACTED}`;
      return p === '' ? p : REDACTED;
    });
  return `${beforeHash.slice(0, q + 1)}${params.join('&')}${fragment}`;
}

/** A request header as shown to people: `Authorization: <redacted>`. */
export function redactedHeader(name: string): string {
  return `${name}: ${REDACTED}`;
}

/** Every URL and every curl `-H` header in `text`, redacted. */
export function redactText(text: string): string {
  return text.replace(URL_IN_TEXT, redactUrl).replace(CURL_HEADER, `$1${REDACTED}'`);
}

/** A copy of `value` (plain data: objects, arrays, strings) with every string passed through redactText. */
export function redactDeep<T>(value: T): T {
  return redactValue(value) as T;
}

function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  }
  return value;
}
