/**
 * Scene objects standing on the ground (cars, benches, poles, trees, pillars, planters…) as image
 * primitives. They are depth-sorted with the people, so they occlude people behind them.
 */
import { css, type RGB } from './colours';
import { depthOf, project, type Camera } from './camera';
import type { Prim } from './prims';

export interface SceneObject {
  kind: string;
  /** Depth of the object's centre (painter's order with people). */
  depth: number;
  prims: Prim[];
  /** World footprint people must not stand in: [x0, z0, x1, z1]. */
  footprint: [number, number, number, number];
}

export interface BoxSpec {
  x: number; z: number;
  /** Half width (X), half depth (Z), bottom and top heights. */
  hw: number; hd: number; y0: number; y1: number;
  yaw: number;
  colour: RGB;
}

function hull(points: Array<[number, number]>): number[] {
  const pts = [...points].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Array<[number, number]> = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2]!, lower[lower.length - 1]!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Array<[number, number]> = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i]!;
    while (upper.length >= 2 && cross(upper[upper.length - 2]!, upper[upper.length - 1]!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return [...lower.slice(0, -1), ...upper.slice(0, -1)].flat();
}

/** A box: visible faces shaded (top lighter, sides darker); mask = hull of the corners. */
export function boxPrims(cam: Camera, b: BoxSpec, decorFaces = false): Prim[] {
  const c = Math.cos(b.yaw), s = Math.sin(b.yaw);
  const corner = (sx: number, sz: number, y: number) => {
    const lx = sx * b.hw, lz = sz * b.hd;
    return { x: b.x + lx * c - lz * s, y, z: b.z + lx * s + lz * c };
  };
  const base = [corner(-1, -1, 0), corner(1, -1, 0), corner(1, 1, 0), corner(-1, 1, 0)];
  const w3 = [...base.map((p) => ({ ...p, y: b.y0 })), ...base.map((p) => ({ ...p, y: b.y1 }))];
  const img = w3.map((p) => project(cam, p.x, p.y, p.z));
  if (img.some((p) => p.depth <= 0.2)) return [];
  const prims: Prim[] = [];
  const faces: Array<[number[], number]> = [
    [[0, 1, 5, 4], 0.78], [[1, 2, 6, 5], 0.88], [[2, 3, 7, 6], 0.72], [[3, 0, 4, 7], 0.85],
  ];
  const camY = cam.mountHeight;
  prims.push({ shape: { k: 'poly', pts: hull(img.map((p) => [p.u, p.v])) }, fill: css(b.colour, 0.8) });
  for (const [idx, shade] of faces) {
    const p0 = w3[idx[0]!]!, p1 = w3[idx[1]!]!;
    // Outward normal of a vertical face, visible when it points towards the camera.
    const nx = p1.z - p0.z, nz = -(p1.x - p0.x);
    const mx = (p0.x + p1.x) / 2 - b.x, mz = (p0.z + p1.z) / 2 - b.z;
    const sign = nx * mx + nz * mz > 0 ? 1 : -1;
    const vx = 0 - (p0.x + p1.x) / 2, vz = 0 - (p0.z + p1.z) / 2;
    if ((nx * vx + nz * vz) * sign <= 0) continue;
    prims.push({ shape: { k: 'poly', pts: idx.flatMap((i) => [img[i]!.u, img[i]!.v]) }, fill: css(b.colour, shade), decor: true });
  }
  if (camY > b.y1) prims.push({ shape: { k: 'poly', pts: [4, 5, 6, 7].flatMap((i) => [img[i]!.u, img[i]!.v]) }, fill: css(b.colour, 1.06), decor: true });
  if (decorFaces) for (const p of prims) p.decor = true;
  return prims;
}

export function boxObject(cam: Camera, kind: string, boxes: BoxSpec[], pad = 0.25): SceneObject {
  const prims = boxes.flatMap((b) => boxPrims(cam, b));
  const first = boxes[0]!;
  const r = Math.max(...boxes.map((b) => Math.hypot(b.hw, b.hd)));
  return {
    kind,
    depth: depthOf(cam, 0, first.z),
    prims,
    footprint: [first.x - r - pad, first.z - r - pad, first.x + r + pad, first.z + r + pad],
  };
}

export function carObject(cam: Camera, x: number, z: number, yaw: number, colour: RGB): SceneObject {
  const o = boxObject(cam, 'car', [
    { x, z, hw: 0.9, hd: 2.2, y0: 0.18, y1: 0.85, yaw, colour },
    { x: x - Math.sin(yaw) * 0.25, z: z + Math.cos(yaw) * 0.25 * 0 - 0.1 * 0, hw: 0.78, hd: 1.2, y0: 0.85, y1: 1.42, yaw, colour: [60, 70, 80] },
  ]);
  // Wheels: dark blobs at the bottom corners.
  const c = Math.cos(yaw), s = Math.sin(yaw);
  for (const [sx, sz] of [[-1, -1], [1, -1], [-1, 1], [1, 1]] as const) {
    const lx = sx * 0.92, lz = sz * 1.45;
    const p = project(cam, x + lx * c - lz * s, 0.3, z + lx * s + lz * c);
    const r = (cam.focal * 0.3) / Math.max(p.depth, 0.5);
    o.prims.push({ shape: { k: 'ell', cx: p.u, cy: p.v, rx: r * 0.7, ry: r }, fill: 'rgb(20,20,22)', decor: true });
  }
  return o;
}

export function poleObject(cam: Camera, x: number, z: number, heightM: number, colour: RGB): SceneObject {
  const foot = project(cam, x, 0, z);
  const top = project(cam, x, heightM, z);
  const r = Math.max(0.6, (cam.focal * 0.07) / Math.max(foot.depth, 0.5));
  const lamp = (cam.focal * 0.25) / Math.max(top.depth, 0.5);
  return {
    kind: 'pole',
    depth: foot.depth,
    prims: [
      { shape: { k: 'caps', x1: foot.u, y1: foot.v, x2: top.u, y2: top.v, r }, fill: css(colour) },
      { shape: { k: 'ell', cx: top.u, cy: top.v, rx: lamp, ry: lamp * 0.45 }, fill: css(colour, 1.2) },
    ],
    footprint: [x - 0.4, z - 0.4, x + 0.4, z + 0.4],
  };
}

export function treeObject(cam: Camera, x: number, z: number, trunkM: number, crownM: number, leaf: RGB): SceneObject {
  const foot = project(cam, x, 0, z);
  const top = project(cam, x, trunkM, z);
  const crown = project(cam, x, trunkM + crownM * 0.8, z);
  const r = (cam.focal * crownM) / Math.max(crown.depth, 0.5);
  const tr = Math.max(0.7, (cam.focal * 0.14) / Math.max(foot.depth, 0.5));
  return {
    kind: 'tree',
    depth: foot.depth,
    prims: [
      { shape: { k: 'caps', x1: foot.u, y1: foot.v, x2: top.u, y2: top.v, r: tr }, fill: 'rgb(78,58,40)' },
      { shape: { k: 'ell', cx: crown.u, cy: crown.v, rx: r * 1.05, ry: r }, fill: css(leaf) },
      { shape: { k: 'ell', cx: crown.u - r * 0.3, cy: crown.v - r * 0.3, rx: r * 0.55, ry: r * 0.45 }, fill: css(leaf, 1.18), decor: true },
      { shape: { k: 'ell', cx: crown.u + r * 0.35, cy: crown.v + r * 0.25, rx: r * 0.5, ry: r * 0.4 }, fill: css(leaf, 0.8), decor: true },
    ],
    footprint: [x - 0.5, z - 0.5, x + 0.5, z + 0.5],
  };
}
