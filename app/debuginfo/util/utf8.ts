// A small UTF-8 decoder: ES2022 without DOM types has no TextDecoder, and app/debuginfo must run
// anywhere JavaScript runs. It is the WHATWG Encoding Standard's UTF-8 decoder (section 9.1.1),
// so malformed input gives the same U+FFFD replacements as TextDecoder.

export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let ascii = true;
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
  let out = '';
  if (ascii) {
    // Chunked so that long strings stay under the argument limit of fromCharCode.
    for (let i = start; i < end; i += 8192) out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
    return out;
  }
  const codes: number[] = [];
  let needed = 0;
  let seen = 0;
  let cp = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (needed === 0) {
      if (b <= 0x7f) codes.push(b);
      else if (b >= 0xc2 && b <= 0xdf) { needed = 1; cp = b & 0x1f; }
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        needed = 2; cp = b & 0x0f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        needed = 3; cp = b & 0x07;
      } else codes.push(0xfffd);
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence so far is one error; the byte starts over.
      needed = seen = cp = 0; lower = 0x80; upper = 0xbf;
      codes.push(0xfffd);
      i--;
      continue;
    }
    lower = 0x80; upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    if (++seen === needed) { codes.push(cp); needed = seen = cp = 0; }
  }
  if (needed !== 0) codes.push(0xfffd);
  for (let k = 0; k < codes.length; k += 8192) out += String.fromCodePoint(...codes.slice(k, k + 8192));
  return out;
}
