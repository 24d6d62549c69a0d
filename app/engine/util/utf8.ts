// UTF-8 by hand: ES2022 without DOM or Node types has no TextEncoder/TextDecoder, and the engine
// (state names), the debug-info reader (symbol and DWARF strings) and the gdb server (monitor
// text) must run anywhere JavaScript runs. The decoder is the WHATWG Encoding Standard's UTF-8
// decoder (section 9.1.1), so malformed input gives the same U+FFFD replacements as TextDecoder.

export function encodeUtf8(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

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
