// A small UTF-8 decoder: ES2022 without DOM types has no TextDecoder, and app/debuginfo must run
// anywhere JavaScript runs. Malformed sequences decode to U+FFFD, as TextDecoder does.

export function decodeUtf8(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  let ascii = true;
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) { ascii = false; break; }
  if (ascii) {
    // Chunked so that very long strings do not exceed the argument limit of fromCharCode.
    for (let i = start; i < end; i += 8192) {
      out += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + 8192)));
    }
    return out;
  }
  const codes: number[] = [];
  let i = start;
  while (i < end) {
    const b = bytes[i]!;
    let need = 0;
    let cp = 0;
    let min = 0;
    if (b < 0x80) { codes.push(b); i++; continue; }
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0x0f; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x07; min = 0x10000; }
    else { codes.push(0xfffd); i++; continue; }
    let j = 1;
    for (; j <= need; j++) {
      const c = i + j < end ? bytes[i + j]! : -1;
      if ((c & 0xc0) !== 0x80 || c < 0) break;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (j <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      codes.push(0xfffd);
      i += Math.max(1, j);
      continue;
    }
    codes.push(cp);
    i += need + 1;
  }
  for (let k = 0; k < codes.length; k += 8192) out += String.fromCodePoint(...codes.slice(k, k + 8192));
  return out;
}
