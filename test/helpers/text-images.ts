import sharp from 'sharp';

export interface TextImageOptions {
  width?: number;
  height?: number;
  /** Font size in pixels. Default 32. */
  size?: number;
  /** A font family fontconfig knows (DejaVu ships with Debian's fonts-dejavu-core). Default DejaVu Sans. */
  font?: string;
  /** Degrees, clockwise, about the centre. Default 0. */
  rotate?: number;
  /** Light text on a dark background. Default false. */
  inverted?: boolean;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Renders lines of text as a PNG with sharp (librsvg + fontconfig): the OCR tests' and benches' pictures. */
export async function renderText(lines: string[], options: TextImageOptions = {}): Promise<Buffer> {
  const size = options.size ?? 32;
  const width = options.width ?? Math.max(200, Math.ceil(Math.max(...lines.map((l) => l.length)) * size * 0.62) + 2 * size);
  const height = options.height ?? Math.ceil((lines.length + 1) * size * 1.5);
  const [bg, fg] = options.inverted ? ['#1b1f24', '#f4f4f0'] : ['#ffffff', '#111111'];
  // Lines are centred vertically, so rotating about the centre keeps them inside the picture.
  const top = (height - lines.length * size * 1.5) / 2;
  const body = lines
    .map(
      (l, i) =>
        `<text x="${size}" y="${Math.round(top + size * (1.5 * i + 1.1))}" font-family="${options.font ?? 'DejaVu Sans'}" ` +
        `font-size="${size}" fill="${fg}">${escape(l)}</text>`,
    )
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="${bg}"/>` +
    `<g transform="rotate(${options.rotate ?? 0} ${width / 2} ${height / 2})">${body}</g></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}
