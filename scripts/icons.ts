/**
 * Draws the web app's icons (web/public/icons): a white cross on the theme's blue, as PNG at the
 * sizes an installable app needs and as SVG. Run once after changing the design
 * (`npx tsx scripts/icons.ts`); the files are committed, nothing is downloaded.
 */
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const OUT = new URL("../web/public/icons/", import.meta.url);
const BLUE = [0x19, 0x71, 0xc2] as const; // Mantine blue.8: white on it passes WCAG AA
const WHITE = [0xff, 0xff, 0xff] as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Whether pixel (x, y) of a size×size icon is on the cross (maskable: it stays in the safe zone). */
function onCross(x: number, y: number, size: number): boolean {
  const c = size / 2;
  const arm = size * 0.26;
  const half = size * 0.08;
  return (
    (Math.abs(x - c) < half && Math.abs(y - c) < arm) || (Math.abs(y - c) < half && Math.abs(x - c) < arm)
  );
}

function png(size: number): Buffer {
  const raw = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const [r, g, b] = onCross(x + 0.5, y + 0.5, size) ? WHITE : BLUE;
      raw.set([r, g, b], row + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" aria-label="Rounds">
<title>Rounds</title>
<rect width="100" height="100" fill="#1971c2"/>
<path d="M42 24h16v18h18v16H58v18H42V58H24V42h18z" fill="#fff"/>
</svg>
`;

for (const size of [192, 512]) writeFileSync(new URL(`icon-${size}.png`, OUT), png(size));
writeFileSync(new URL("apple-touch-icon.png", OUT), png(180));
writeFileSync(new URL("icon.svg", OUT), SVG);
