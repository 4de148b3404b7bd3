// What a leaked secret looks like, and where to find one. Used by the sweep after the
// end-to-end suite (tests/e2e/sweep.mjs) and proven by its self-test (leaks.test.mjs).
//
// A secret is searched for as it is and as the layers it passes through would write it:
// URL- and form-encoded (a query or a form body), JSON-escaped, inside base64 at each of the
// three byte alignments (an HTTP Basic header is base64 of "id:secret" with both parts
// form-encoded), as UTF-16 (WebKit's storage), and, for tokens, cut to a 16-character prefix.
// Files are also searched with JSON `\uXXXX` escapes decoded.

const PREFIX = 16;

/** The base64 runs that encode `bytes` wherever it starts in a longer text (standard and URL-safe). */
function base64Cores(bytes) {
  const out = [];
  for (let shift = 0; shift < 3; shift += 1) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    let text = padded.toString("base64").replace(/=+$/, "");
    // The first group mixes in bytes before the secret; the last one, bytes after it.
    if (shift > 0) text = text.slice(4);
    if (padded.length % 3 !== 0) text = text.slice(0, text.length - (text.length % 4 || 4));
    if (text.length >= 12) {
      out.push(text);
      const urlSafe = text.replace(/\+/g, "-").replace(/\//g, "_");
      if (urlSafe !== text) out.push(urlSafe);
    }
  }
  return out;
}

/**
 * The forms of `value` to search for: [[how it is encoded, bytes]]. `token`: a random value
 * (an access or refresh token, a code, a verifier), also searched for by its prefix.
 */
export function encodings(value, { token = false } = {}) {
  const out = [["as it is", Buffer.from(value, "utf8")]];
  const add = (name, text) => {
    if (text !== value && !out.some(([, b]) => b.equals(Buffer.from(text)))) out.push([name, Buffer.from(text)]);
  };
  const url = encodeURIComponent(value);
  add("URL-encoded", url);
  add("form-encoded", url.replace(/%20/g, "+"));
  add("JSON-escaped", JSON.stringify(value).slice(1, -1));
  out.push(["UTF-16", Buffer.from(value, "utf16le")]);
  const swapped = Buffer.from(value, "utf16le");
  swapped.swap16();
  out.push(["UTF-16", swapped]);
  for (const form of new Set([value, url, url.replace(/%20/g, "+")])) {
    for (const core of base64Cores(Buffer.from(form, "utf8"))) out.push(["base64", Buffer.from(core)]);
  }
  if (token) {
    // A JWT's first part is the same header for every token: its prefix says nothing.
    const parts = value.split(".");
    const random = parts.length === 3 ? parts.slice(1) : [value];
    for (const part of random) {
      if (part.length >= PREFIX + 4) out.push([`its first ${PREFIX} characters`, Buffer.from(part.slice(0, PREFIX))]);
    }
  }
  return out;
}

/** `text` with JSON `\uXXXX` escapes decoded, or null when it has none. */
function unescapedJson(bytes) {
  const text = bytes.toString("latin1");
  if (!/\\u[0-9a-fA-F]{4}/.test(text)) return null;
  return Buffer.from(
    text.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))),
    "utf8",
  );
}

/**
 * Searches each file's bytes for each secret in every encoding. `secrets`: Map of value ->
 * { origin, token }. `read(file)` gives a file's bytes. Returns [{ file, origin, encoding }],
 * one per secret and file (never the value).
 */
export function findLeaks(files, secrets, read) {
  const forms = [...secrets].map(([value, about]) => ({ about, forms: encodings(value, about) }));
  const hits = [];
  let bytes = 0;
  for (const file of files) {
    const raw = read(file);
    bytes += raw.length;
    const unescaped = unescapedJson(raw);
    for (const { about, forms: list } of forms) {
      const found = list.find(([, needle]) => raw.includes(needle));
      if (found) {
        hits.push({ file, origin: about.origin, encoding: found[0] });
      } else if (unescaped && unescaped.includes(list[0][1])) {
        hits.push({ file, origin: about.origin, encoding: "JSON \\u-escaped" });
      }
    }
  }
  return { hits, bytes };
}
