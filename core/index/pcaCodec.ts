/**
 * The compact feature codec of index format 2 ('pca' storage): I_en of a surveillance video lives
 * in a small subspace and barely changes between sampled frames of a static camera, so
 *   1. a per-video basis (mean + the d leading principal components of the first frames' cell
 *      vectors, float32) is fitted once and stored in the index;
 *   2. every cell vector is projected on it and each coefficient quantised with one step
 *      (stepRel × the standard deviation of the first component): integer codes;
 *   2b. (hold > 0) a cell whose coefficients all stay within `hold` steps of its previous codes keeps
 *      them: a static background cell's features jitter with the video's noise by a step or two,
 *      which would otherwise cost ~70 bits a frame (projectCodes);
 *   3. codes are stored as the difference to the previous frame's codes (exact in the integer
 *      domain: no drift; every `keyInterval`-th frame stores its codes as they are), Rice-coded
 *      per cell (packCodes: a static cell costs 4 bits).
 * Reconstruction is x ≈ mean + Σ_j code_j·step·b_j. The head's first layers are linear in x, so a
 * search never needs the reconstruction: the folded head takes the coefficients (foldedHead.ts).
 * Everything is a pure function of the input floats: the same frames give the same bytes.
 */
import { rowDotsWorkspace } from '../numeric/rowDots';
import { symmetricEigen } from '../numeric/symmetricEigen';

export interface PcaBasis {
  /** Components d and feature width M. */
  d: number;
  M: number;
  /** Quantisation step of the coefficients (absolute). */
  step: number;
  mean: Float32Array;
  /** [d·M], row j = component j (unit length). */
  basis: Float32Array;
  /**
   * Share of the fit vectors' variance the d components leave out (Σ of the other eigenvalues /
   * Σ of all): the yardstick for later frames (projectCodes `fit`). NaN for bases stored before
   * 30 Nov 2026 (their block has no such field).
   */
  fitResidual: number;
}

/** A frame's fit to a basis, summed over its cells by projectCodes: squared norms of the centred vectors and of what the basis leaves out. */
export interface ProjectionFit { energy: number; residual: number }

/** Fit cells per covariance chunk (fitBasis). */
const COV_CHUNK = 256;

export const PCA_DEFAULTS = { dims: 48, stepRel: 0.02, keyInterval: 50, fitFrames: 32, hold: 1 } as const;

/**
 * Fits the basis on `vectors` (count cell vectors of width M, e.g. the first frames' cells).
 * Components are ordered by variance and signed so their largest entry is positive (deterministic).
 */
export function fitBasis(vectors: Float32Array, count: number, M: number, d: number, stepRel: number): PcaBasis {
  d = Math.max(1, Math.min(d, M));
  const mean64 = new Float64Array(M);
  for (let i = 0; i < count; i++) for (let m = 0; m < M; m++) mean64[m] = mean64[m]! + vectors[i * M + m]!;
  for (let m = 0; m < M; m++) mean64[m] = mean64[m]! / Math.max(1, count);
  const mean = Float32Array.from(mean64);
  // Σ rowᵀ·row, in chunks of COV_CHUNK rows: each chunk's sum is the Gram matrix of its centred
  // columns (rowDots.ts: SIMD, defined summation order), the chunks added in order. Chunks keep the
  // kernel's rows in cache (one pass over all 6,272 fit cells at once was memory-bound: 4× slower).
  const cov = new Float64Array(M * M);
  for (let c0 = 0; c0 < count; c0 += COV_CHUNK) {
    const rows = Math.min(COV_CHUNK, count - c0);
    const ws = rowDotsWorkspace(M, M, rows, true);
    for (let i = 0; i < rows; i++) for (let m = 0; m < M; m++) ws.a[m * ws.stride + i] = vectors[(c0 + i) * M + m]! - mean[m]!;
    const gram = ws.run();
    for (let a = 0; a < M; a++) for (let b = 0; b < M; b++) cov[a * M + b] = cov[a * M + b]! + gram[a * ws.outStride + b]!;
  }
  for (let i = 0; i < M * M; i++) cov[i] = cov[i]! / Math.max(1, count);
  const { values, vectors: ev } = symmetricEigen(cov, M);
  const order = Array.from({ length: M }, (_, i) => i).sort((x, y) => values[y]! - values[x]! || x - y);
  const basis = new Float32Array(d * M);
  for (let j = 0; j < d; j++) {
    const col = order[j]!;
    let big = 0;
    for (let m = 0; m < M; m++) if (Math.abs(ev[m * M + col]!) > Math.abs(ev[big * M + col]!)) big = m;
    const sign = ev[big * M + col]! < 0 ? -1 : 1;
    for (let m = 0; m < M; m++) basis[j * M + m] = sign * ev[m * M + col]!;
  }
  const sd = Math.sqrt(Math.max(0, values[order[0]!]!));
  const step = Math.fround(sd > 0 ? sd * stepRel : 1e-6);
  let total = 0, kept = 0;
  order.forEach((col, j) => { const v = Math.max(0, values[col]!); total += v; if (j < d) kept += v; });
  const fitResidual = Math.fround(total > 0 ? Math.max(0, total - kept) / total : 0);
  return { d, M, step, mean, basis, fitResidual };
}

/**
 * The stored basis block: u16 d, u16 M, f32 step, mean [M] f32, basis [d·M] f32, f32 fitResidual
 * (the last field since 30 Nov 2026; blocks without it are still read, with fitResidual NaN).
 */
export function encodeBasis(b: PcaBasis): Buffer {
  const out = Buffer.alloc(8 + 4 * (b.M + b.d * b.M) + 4);
  out.writeUInt16LE(b.d, 0);
  out.writeUInt16LE(b.M, 2);
  out.writeFloatLE(b.step, 4);
  b.mean.forEach((v, i) => out.writeFloatLE(v, 8 + 4 * i));
  b.basis.forEach((v, i) => out.writeFloatLE(v, 8 + 4 * (b.M + i)));
  out.writeFloatLE(b.fitResidual, 8 + 4 * (b.M + b.d * b.M));
  return out;
}

export function decodeBasis(buf: Buffer): PcaBasis | null {
  if (buf.length < 8) return null;
  const d = buf.readUInt16LE(0);
  const M = buf.readUInt16LE(2);
  const core = 8 + 4 * (M + d * M);
  if ((buf.length !== core && buf.length !== core + 4) || d === 0 || M === 0) return null;
  const step = buf.readFloatLE(4);
  const mean = Float32Array.from({ length: M }, (_, i) => buf.readFloatLE(8 + 4 * i));
  const basis = Float32Array.from({ length: d * M }, (_, i) => buf.readFloatLE(8 + 4 * (M + i)));
  return { d, M, step, mean, basis, fitResidual: buf.length === core + 4 ? buf.readFloatLE(core) : NaN };
}

/**
 * Integer codes [cells·d] of one frame's features [cells·M]. With `prev` (the previous frame's codes)
 * and `hold` > 0, a cell none of whose coefficients lies further than `hold` steps from its previous
 * code keeps the previous codes (conditional replenishment): a static background cell whose features
 * only jitter with the video's noise then costs 4 bits (packCodes). The error stays bounded —
 * |coefficient − code·step| ≤ hold·step for held cells, step/2 otherwise — and never accumulates,
 * because the comparison is with the stored codes, not with the previous frame's features.
 */
export function projectCodes(
  b: PcaBasis, x: Float32Array, cells: number, out: Int16Array, prev: Int16Array | null = null, hold = 0, fit?: ProjectionFit,
): Int16Array {
  const { d, M, mean, basis, step } = b;
  // Every cell's centred vector against every basis row in one call (rowDots.ts: SIMD, defined
  // summation order). The basis is copied in each time (~10 µs): the kernel's memory is shared with
  // fitBasis and other callers.
  const ws = rowDotsWorkspace(cells, d, M);
  for (let j = 0; j < d; j++) for (let m = 0; m < M; m++) ws.b[j * ws.stride + m] = basis[j * M + m]!;
  const energies = new Float64Array(cells);
  for (let c = 0; c < cells; c++) {
    let energy = 0;
    const o = c * ws.stride;
    for (let m = 0; m < M; m++) { const v = x[c * M + m]! - mean[m]!; ws.a[o + m] = v; energy += v * v; }
    energies[c] = energy;
  }
  const dots = ws.run();
  const raw = new Float64Array(d);
  for (let c = 0; c < cells; c++) {
    const energy = energies[c]!;
    for (let j = 0; j < d; j++) raw[j] = dots[c * ws.outStride + j]! / step;
    if (fit) {
      // The basis rows are orthonormal: what it leaves out is |x − mean|² − Σ coefficient².
      let captured = 0;
      for (let k = 0; k < d; k++) captured += raw[k]! * raw[k]!;
      fit.energy += energy;
      fit.residual += Math.max(0, energy - captured * step * step);
    }
    let keep = prev !== null && hold > 0;
    for (let j = 0; keep && j < d; j++) if (Math.abs(raw[j]! - prev![c * d + j]!) > hold) keep = false;
    for (let j = 0; j < d; j++) out[c * d + j] = keep ? prev![c * d + j]! : Math.max(-32767, Math.min(32767, Math.round(raw[j]!)));
  }
  return out;
}

/** Rice parameter value meaning "every difference of this group is 0". */
const ALL_ZERO = 15;
/** Quotients from this size on are written as an escape (ESCAPE ones, a 0, then 32 raw bits). */
const ESCAPE = 24;

/**
 * Codes → stored bytes: the differences to `prev` (null: a key frame), zigzag-mapped, Rice-coded in
 * groups of `group` values (one cell's d codes): 4 bits k per group (15: all zero, nothing else),
 * then per value the quotient u>>k in unary and k remainder bits, MSB first. A static cell costs
 * 4 bits. Chosen over deflate because node's zlib costs ~0.3 ms per call to decode (per frame),
 * which capped a search at ~1,600 frames/s; this decodes in tens of µs.
 */
export function packCodes(codes: Int16Array, prev: Int16Array | null, group = codes.length): Buffer {
  const n = codes.length;
  if (packScratch.u.length < n) packScratch = { u: new Uint32Array(n), out: new Uint8Array(n * 6 + 16) };
  const { u, out } = packScratch; // reused: a frame's 56 KiB of scratch kept the garbage collector busy
  for (let i = 0; i < n; i++) { const v = prev ? codes[i]! - prev[i]! : codes[i]!; u[i] = v >= 0 ? 2 * v : -2 * v - 1; }
  // Bits collect MSB first in `acc` (`bits` of them, < 8 between puts) and leave a byte at a time.
  let at = 0;
  let acc = 0;
  let bits = 0;
  const put = (value: number, count: number) => { // count ≤ 24
    acc = (acc << count) | (value & ((1 << count) - 1));
    bits += count;
    while (bits >= 8) { bits -= 8; out[at++] = (acc >>> bits) & 0xff; }
    acc &= (1 << bits) - 1;
  };
  const ones = (count: number) => { for (; count > 16; count -= 16) put(0xffff, 16); put((1 << count) - 1, count); };
  for (let g = 0; g < n; g += group) {
    const end = Math.min(n, g + group);
    let largest = 0;
    for (let i = g; i < end; i++) if (u[i]! > largest) largest = u[i]!;
    if (largest === 0) { put(ALL_ZERO, 4); continue; }
    // The k with the fewest bits (the smallest on a tie). Without escapes the cost is convex in k
    // (each step halves every quotient, saving ⌈q/2⌉ per value, which shrinks as k grows, for one
    // more remainder bit each), so the scan stops at the first k that costs more; a group that
    // could escape is scanned in full.
    const convex = largest < ESCAPE;
    let bestK = 0;
    let bestBits = Infinity;
    for (let k = 0; k < ALL_ZERO; k++) {
      let cost = 0;
      for (let i = g; i < end; i++) { const q = u[i]! >>> k; cost += q >= ESCAPE ? ESCAPE + 1 + 32 : q + 1 + k; }
      if (cost < bestBits) { bestBits = cost; bestK = k; } else if (convex) break;
    }
    put(bestK, 4);
    const low = (1 << bestK) - 1;
    for (let i = g; i < end; i++) {
      const q = u[i]! >>> bestK;
      if (q >= ESCAPE) { ones(ESCAPE); put(0, 1); put(u[i]! >>> 16, 16); put(u[i]! & 0xffff, 16); continue; }
      if (q > 0) ones(q);
      // The terminating 0 and the k remainder bits in one put (k ≤ 14).
      put(u[i]! & low, 1 + bestK);
    }
  }
  if (bits > 0) out[at++] = (acc << (8 - bits)) & 0xff;
  return Buffer.from(out.subarray(0, at)); // a copy: the scratch is reused
}

let packScratch = { u: new Uint32Array(0), out: new Uint8Array(0) };

/** The frame's bytes followed by zero bytes, so the bit reservoir can be refilled past the end. */
let padded = new Uint8Array(4096);

/**
 * Inverse of packCodes (same group); writes the codes into `out` (may alias `prev`). The hot path of
 * a search (≈ 9,400 codes per grid-14 frame), so bits come from a 32-bit reservoir `acc` (MSB
 * first, `avail` valid bits, refilled a byte at a time to over 24): a value's unary quotient is the
 * reservoir's leading ones (Math.clz32), its k remainder bits one shift, and a run of zero bits in a
 * k = 0 group a run of unchanged codes taken at once — instead of reading bit by bit (80 → 36 µs
 * per grid-14 frame). Padding bytes are zeros, so a unary run never extends past the data; a terminator or
 * remainder in the padding means the codes are truncated, as before.
 */
export function unpackCodes(buf: Uint8Array, prev: Int16Array | null, out: Int16Array, group = out.length): void {
  const n = out.length;
  const total = buf.length * 8;
  if (padded.length < buf.length + 8) padded = new Uint8Array(2 * buf.length + 8);
  const src = padded;
  src.set(buf);
  for (let b = buf.length; b < buf.length + 8; b++) src[b] = 0;
  let acc = 0, avail = 0, next = 0; // bit position of acc's top bit: 8·next − avail
  for (let g = 0; g < n; g += group) {
    const end = Math.min(n, g + group);
    while (avail <= 24) { acc |= src[next++]! << (24 - avail); avail += 8; }
    if (8 * next - avail + 4 > total) throw new Error('feature codes are truncated');
    const k = acc >>> 28;
    acc <<= 4; avail -= 4;
    if (k === ALL_ZERO) {
      if (prev) { if (prev !== out) for (let i = g; i < end; i++) out[i] = prev[i]!; } else out.fill(0, g, end);
      continue;
    }
    for (let i = g; i < end; i++) {
      while (avail <= 24) { acc |= src[next++]! << (24 - avail); avail += 8; }
      const pos = 8 * next - avail;
      if (k === 0 && acc >= 0) {
        // A run of 0 bits with k = 0 is a run of unchanged codes (a cell's quiet coefficients):
        // taken at once, up to the reservoir's valid bits, the group's end or the data's end (a 0
        // in the padding is left to the checks below: truncated).
        let run = Math.min(Math.clz32(acc), avail, end - i, total - pos);
        if (run > 0) {
          acc = run === 32 ? 0 : acc << run; avail -= run;
          if (!prev) for (; run > 0; run--) out[i++] = 0;
          else if (prev !== out) for (; run > 0; run--, i++) out[i] = prev[i]!;
          else i += run;
          i--;
          continue;
        }
      }
      const q = Math.clz32(~acc); // leading ones: the unary quotient (never more than avail: the bits below are 0)
      if (q > ESCAPE) throw new Error('feature codes are damaged');
      if (pos + q >= total) throw new Error('feature codes are truncated'); // no terminating 0 in the data
      acc <<= q + 1; avail -= q + 1;
      let v: number;
      if (q === ESCAPE) {
        // 32 raw bits (rare: a difference the Rice code would spend over 24 bits on), 16 at a time.
        if (pos + q + 1 + 32 > total) throw new Error('feature codes are truncated');
        let u = 0;
        for (let half = 0; half < 2; half++) {
          while (avail <= 24) { acc |= src[next++]! << (24 - avail); avail += 8; }
          u = u * 65536 + (acc >>> 16);
          acc <<= 16; avail -= 16;
        }
        v = (u % 2) === 0 ? u / 2 : -(u + 1) / 2; // u may pass 2³¹: no integer ops
      } else {
        let u = q;
        if (k > 0) {
          if (pos + q + 1 + k > total) throw new Error('feature codes are truncated');
          while (avail <= 24) { acc |= src[next++]! << (24 - avail); avail += 8; }
          u = (q << k) | (acc >>> (32 - k));
          acc <<= k; avail -= k;
        }
        v = (u >>> 1) ^ -(u & 1); // zigzag: even u → u/2, odd u → −(u+1)/2
      }
      out[i] = prev ? prev[i]! + v : v;
    }
  }
  if (total - (8 * next - avail) >= 8) throw new Error('feature codes have trailing bytes');
}

/** Coefficients code·step [cells·d] into dst at dstOffset. */
export function codesToCoefficients(b: PcaBasis, codes: Int16Array, dst: Float32Array, dstOffset: number): void {
  const step = b.step, n = codes.length;
  const out = dst.subarray(dstOffset, dstOffset + n);
  for (let i = 0; i < n; i++) out[i] = codes[i]! * step;
}

/** Features x = mean + Σ_j coefficient_j·b_j [cells·M] into dst at dstOffset. */
export function reconstruct(b: PcaBasis, codes: Int16Array, cells: number, dst: Float32Array, dstOffset: number): void {
  const { d, M, mean, basis, step } = b;
  const acc = new Float64Array(M);
  for (let c = 0; c < cells; c++) {
    for (let m = 0; m < M; m++) acc[m] = mean[m]!;
    for (let j = 0; j < d; j++) {
      const y = codes[c * d + j]! * step;
      if (y === 0) continue;
      const o = j * M;
      for (let m = 0; m < M; m++) acc[m] = acc[m]! + y * basis[o + m]!;
    }
    for (let m = 0; m < M; m++) dst[dstOffset + c * M + m] = acc[m]!;
  }
}
