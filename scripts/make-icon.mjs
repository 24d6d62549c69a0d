// Draws the app icon (assets/build/icon.png, 1024x1024 RGBA) with no dependencies: a rounded dark
// tile, a timeline with a playhead, and an arrow turning back (time travel). electron-builder makes
// the macOS .icns and Windows .ico from it and uses it for Linux. Run: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 1024, SS = 4; // size, supersampling per axis (anti-aliasing)
const rgba = new Float64Array(N * N * 4);

/** Paints colour [r,g,b] with coverage inside(x,y) (sampled SS x SS per pixel) over what is there. */
function paint(color, inside, box = [0, 0, N, N]) {
  const [x0, y0, x1, y1] = box.map((v) => Math.max(0, Math.min(N, Math.round(v))));
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
    let hit = 0;
    for (let j = 0; j < SS; j++) for (let i = 0; i < SS; i++) if (inside(x + (i + 0.5) / SS, y + (j + 0.5) / SS)) hit++;
    if (!hit) continue;
    const a = (hit / (SS * SS)) * (color[3] ?? 1), p = (y * N + x) * 4;
    for (let c = 0; c < 3; c++) rgba[p + c] = rgba[p + c] * (1 - a) + color[c] * a;
    rgba[p + 3] = rgba[p + 3] * (1 - a) + a;
  }
}

const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r)), dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
};
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const angleOf = (cx, cy, x, y) => (Math.atan2(y - cy, x - cx) * 180 / Math.PI + 360) % 360;
/** A ring segment from angle a0 to a1 (degrees, clockwise on screen). */
const arc = (cx, cy, r, w, a0, a1) => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  if (d < r - w / 2 || d > r + w / 2) return false;
  const a = angleOf(cx, cy, x, y);
  return a0 <= a1 ? a >= a0 && a <= a1 : a >= a0 || a <= a1;
};
const triangle = (p, q, s) => (x, y) => {
  const side = (a, b) => (b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]);
  const d1 = side(p, q), d2 = side(q, s), d3 = side(s, p);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
};

const BLUE = [0x58 / 255, 0xa6 / 255, 1], ORANGE = [0xf7 / 255, 0x81 / 255, 0x66 / 255], GREY = [0x30 / 255, 0x36 / 255, 0x3d / 255];
// Tile: the UI's background, a slightly lighter border.
paint([0x30 / 255, 0x36 / 255, 0x3d / 255], roundRect(48, 48, 976, 976, 200));
paint([0x0d / 255, 0x11 / 255, 0x17 / 255], roundRect(64, 64, 960, 960, 186));
// The arrow going round (a run, replayed): a ring open at the top right.
const cx = 512, cy = 440, r = 250, w = 64;
paint(BLUE, arc(cx, cy, r, w, 330, 250), [cx - r - w, cy - r - w, cx + r + w, cy + r + w]);
// Its head at the 250° end, pointing along the ring (the direction of travel).
const a = 250 * Math.PI / 180, E = [cx + r * Math.cos(a), cy + r * Math.sin(a)];
const T = [-Math.sin(a), Math.cos(a)], R = [Math.cos(a), Math.sin(a)];
paint(BLUE, triangle([E[0] + T[0] * 120, E[1] + T[1] * 120], [E[0] + R[0] * 85 - T[0] * 4, E[1] + R[1] * 85 - T[1] * 4],
  [E[0] - R[0] * 85 - T[0] * 4, E[1] - R[1] * 85 - T[1] * 4]), [E[0] - 160, E[1] - 160, E[0] + 160, E[1] + 160]);
// Timeline with ticks and the playhead.
paint(GREY, roundRect(176, 792, 848, 824, 16));
for (const t of [240, 360, 600, 720]) paint(GREY, roundRect(t - 6, 760, t + 6, 856, 6));
paint(ORANGE, roundRect(468, 730, 500, 886, 14));
paint(ORANGE, circle(484, 808, 40), [440, 760, 530, 850]);
// The playhead's centre marks "now" inside the ring too.
paint(ORANGE, circle(cx, cy, 46), [cx - 50, cy - 50, cx + 50, cy + 50]);

// PNG: 8-bit RGBA, no filter.
const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0;
  for (let x = 0; x < N; x++) for (let c = 0; c < 4; c++) {
    const p = (y * N + x) * 4, alpha = rgba[p + 3];
    // Stored colours are premultiplied while painting; PNG wants straight alpha.
    const v = c === 3 ? alpha : alpha > 0 ? rgba[p + c] / alpha : 0;
    raw[y * (N * 4 + 1) + 1 + x * 4 + c] = Math.round(Math.min(1, v) * 255);
  }
}
const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
const crc = (buf) => { let c = 0xffffffff; for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
const chunk = (type, data) => {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const c = Buffer.alloc(4); c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0); ihdr.writeUInt32BE(N, 4); ihdr[8] = 8; ihdr[9] = 6;
const png = Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
const out = new URL('../assets/build/icon.png', import.meta.url);
writeFileSync(out, png);
console.log(`wrote ${out.pathname} (${png.length} bytes)`);
