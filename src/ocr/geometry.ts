/** A point in image pixels. */
export type Point = [number, number];

/**
 * A rotated rectangle: its centre, its size along its own axes and the direction of its width axis
 * (unit vector). A text line's width axis runs along the writing.
 */
export interface RotatedRect {
  cx: number;
  cy: number;
  width: number;
  height: number;
  /** Unit vector of the width axis; the height axis is (-uy, ux) rotated a quarter turn clockwise in image space. */
  ux: number;
  uy: number;
}

/** A connected region of a binary map: its pixel count and, per row, the leftmost and rightmost pixel. */
export interface Region {
  pixels: number;
  /** Flat indices into the map, for scoring. */
  indices: Int32Array;
  rows: Map<number, [number, number]>;
}

/**
 * 8-connected regions of `mask` (width × height, non-zero = on), by a flood fill with an explicit stack.
 * Regions are returned in scan order (top-to-bottom, left-to-right of their first pixel).
 */
export function connectedRegions(mask: Uint8Array, width: number, height: number, maxRegions = 1000): Region[] {
  const label = new Int32Array(width * height);
  const regions: Region[] = [];
  const stack = new Int32Array(width * height);
  for (let start = 0; start < mask.length && regions.length < maxRegions; start += 1) {
    if (!mask[start] || label[start]) continue;
    const id = regions.length + 1;
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    const members: number[] = [];
    const rows = new Map<number, [number, number]>();
    while (top > 0) {
      const p = stack[--top];
      members.push(p);
      const y = (p / width) | 0;
      const x = p - y * width;
      const row = rows.get(y);
      if (!row) rows.set(y, [x, x]);
      else {
        if (x < row[0]) row[0] = x;
        if (x > row[1]) row[1] = x;
      }
      for (let dy = -1; dy <= 1; dy += 1) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx += 1) {
          const nx = x + dx;
          if (nx < 0 || nx >= width || (dx === 0 && dy === 0)) continue;
          const q = ny * width + nx;
          if (mask[q] && !label[q]) {
            label[q] = id;
            stack[top++] = q;
          }
        }
      }
    }
    regions.push({ pixels: members.length, indices: Int32Array.from(members), rows });
  }
  return regions;
}

/** The outline points of a region: the corners of its leftmost and rightmost pixel on each row (pixel extents, not centres). */
export function regionOutline(region: Region): Point[] {
  const points: Point[] = [];
  for (const [y, [x0, x1]] of region.rows) points.push([x0, y], [x0, y + 1], [x1 + 1, y], [x1 + 1, y + 1]);
  return points;
}

/** Convex hull, counter-clockwise (Andrew's monotone chain). */
export function convexHull(points: Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i -= 1) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)];
}

/**
 * The smallest-area rectangle around a convex hull: one of its sides lies on a hull edge, so trying
 * each edge direction finds it. Its width axis is the one closer to the image's x axis, pointing right.
 */
export function minAreaRect(hull: Point[]): RotatedRect {
  if (hull.length === 0) return { cx: 0, cy: 0, width: 0, height: 0, ux: 1, uy: 0 };
  let best: RotatedRect | undefined;
  let bestArea = Infinity;
  const directions: Point[] =
    hull.length < 2
      ? [[1, 0]]
      : hull.map((p, i) => {
          const q = hull[(i + 1) % hull.length];
          return [q[0] - p[0], q[1] - p[1]];
        });
  for (const [dx, dy] of directions) {
    const len = Math.hypot(dx, dy);
    if (len === 0) continue;
    const ux = dx / len,
      uy = dy / len;
    let minU = Infinity,
      maxU = -Infinity,
      minV = Infinity,
      maxV = -Infinity;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy,
        v = -x * uy + y * ux;
      if (u < minU) minU = u;
      if (u > maxU) maxU = u;
      if (v < minV) minV = v;
      if (v > maxV) maxV = v;
    }
    const area = (maxU - minU) * (maxV - minV);
    if (area < bestArea) {
      bestArea = area;
      const cu = (minU + maxU) / 2,
        cv = (minV + maxV) / 2;
      best = { cx: cu * ux - cv * uy, cy: cu * uy + cv * ux, width: maxU - minU, height: maxV - minV, ux, uy };
    }
  }
  return orientRect(best ?? { cx: hull[0][0], cy: hull[0][1], width: 0, height: 0, ux: 1, uy: 0 });
}

/** The same rectangle with its width axis the one nearer horizontal, pointing right (so text reads left to right). */
export function orientRect(r: RotatedRect): RotatedRect {
  let { ux, uy, width, height } = r;
  if (Math.abs(uy) > Math.abs(ux)) {
    [ux, uy] = [-uy, ux];
    [width, height] = [height, width];
  }
  if (ux < 0) {
    ux = -ux;
    uy = -uy;
  }
  return { ...r, ux, uy, width, height };
}

/**
 * Grows a rectangle outwards by `area × ratio / perimeter` on every side: DB's "unclip", which undoes the
 * shrinking of text regions the detector was trained with. (For a rectangle the offset polygon's bounding
 * rectangle is the rectangle grown by that distance, so no polygon clipper is needed.)
 */
export function unclipRect(r: RotatedRect, ratio: number): RotatedRect {
  const perimeter = 2 * (r.width + r.height);
  if (perimeter === 0) return r;
  const d = (r.width * r.height * ratio) / perimeter;
  return { ...r, width: r.width + 2 * d, height: r.height + 2 * d };
}

/** Corners clockwise from top-left (in reading orientation): top-left, top-right, bottom-right, bottom-left. */
export function rectCorners(r: RotatedRect): [Point, Point, Point, Point] {
  const hx = (r.ux * r.width) / 2,
    hy = (r.uy * r.width) / 2;
  const vx = (-r.uy * r.height) / 2,
    vy = (r.ux * r.height) / 2;
  return [
    [r.cx - hx - vx, r.cy - hy - vy],
    [r.cx + hx - vx, r.cy + hy - vy],
    [r.cx + hx + vx, r.cy + hy + vy],
    [r.cx - hx + vx, r.cy - hy + vy],
  ];
}
