/** The generator's CSS colour strings as RGBA tuples, for the JS rasteriser (raster.ts). */

export type Rgba = readonly [number, number, number, number];

const colours = new Map<string, Rgba>();

/** Parses the generator's CSS colours: `rgb(r,g,b)` or `rgba(r,g,b,a)` (integers, alpha 0..1). */
export function parseColour(css: string): Rgba {
  let c = colours.get(css);
  if (c) return c;
  const m = /^rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)$/.exec(css);
  if (!m) throw new Error(`unsupported colour ${css}`);
  c = [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
  if (colours.size > 10_000) colours.clear();
  colours.set(css, c);
  return c;
}
