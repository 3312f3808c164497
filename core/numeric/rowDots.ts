/**
 * out[i·nb + j] = Σ_m a[i·K + m] · b[j·K + m] in float64 (dot products of a's rows with b's rows:
 * A·Bᵀ), the index writer's hot loops (projecting each frame's cells on the pca basis, the
 * covariance of the fit frames). A WebAssembly SIMD kernel (f64x2, one row of a against four of b)
 * assembled below from its bytes, about 4× the scalar JS loop it replaces; plain JS where
 * WebAssembly SIMD is missing.
 *
 * The result is defined exactly, so the codes an index stores do not depend on the machine or on
 * which path ran: lane 0 adds the products of even m in order, lane 1 those of odd m, and the dot
 * is lane0 + lane1. `rowDotsReference` computes the same in scalar JS (the fallback, and the tests'
 * reference). The kernel needs an even K and nb in fours: the workspace pads with zeros, which
 * add nothing, and says where its rows start (`stride`, `outStride`).
 */

const PAGE = 65536;

// ---- A tiny assembler for the one function below (opcodes from the WebAssembly 2.0 spec).
const uleb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const sleb = (n: number): number[] => { const o: number[] = []; for (;;) { const b = n & 0x7f; n >>= 7; if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) { o.push(b); return o; } o.push(b | 0x80); } };
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const I32 = 0x7f, V128 = 0x7b;
const get = (l: number) => [0x20, ...uleb(l)];
const set = (l: number) => [0x21, ...uleb(l)];
const i32c = (n: number) => [0x41, ...sleb(n)];
const ADD = 0x6a, MUL = 0x6c, LT_U = 0x49;
const simd = (op: number) => [0xfd, ...uleb(op)];
const LOAD = [...simd(0x00), 3, 0]; // v128.load, align hint 2³, offset 0
const F64X2_ADD = simd(0xf0), F64X2_MUL = simd(0xf2);
const lane = (l: number) => [...simd(0x21), l]; // f64x2.extract_lane
const ZERO = [...simd(0x0c), ...new Array(16).fill(0)]; // v128.const 0
const F64_ADD = 0xa0;
const f64store = (offset: number) => [0x39, 3, ...uleb(offset)];

// Locals: params a b out na nb K (byte pointers and counts), then i32 scratch, then v128 accumulators.
const A = 0, B = 1, OUT = 2, NA = 3, NB = 4, K = 5;
const I = 6, J = 7, PA = 8, PB0 = 9, PB1 = 10, PB2 = 11, PB3 = 12, END = 13, ROW = 14, PO = 15;
const ACC0 = 16, ACC1 = 17, ACC2 = 18, ACC3 = 19, VA = 20;
const accumulate = (acc: number, pb: number) => [...get(acc), ...get(VA), ...get(pb), ...LOAD, ...F64X2_MUL, ...F64X2_ADD, ...set(acc)];
const bump = (l: number) => [...get(l), ...i32c(16), ADD, ...set(l)];
const horizontal = (acc: number, offset: number) => [...get(PO), ...get(acc), ...lane(0), ...get(acc), ...lane(1), F64_ADD, ...f64store(offset)];
const body: number[] = [
  ...vec([[10, I32], [5, V128]]), // local declarations: 10 i32, 5 v128
  ...get(K), ...i32c(8), MUL, ...set(ROW), // bytes per row
  ...i32c(0), ...set(I),
  0x02, 0x40, // block (rows of a)
  ...get(I), ...get(NA), LT_U, 0x45, 0x0d, 0, // if !(i < na) break
  0x03, 0x40, // loop over rows of a
  ...i32c(0), ...set(J),
  ...get(B), ...set(PB0),
  0x02, 0x40, // block (groups of 4 rows of b)
  ...get(J), ...get(NB), LT_U, 0x45, 0x0d, 0,
  0x03, 0x40,
  ...get(PB0), ...get(ROW), ADD, ...set(PB1),
  ...get(PB1), ...get(ROW), ADD, ...set(PB2),
  ...get(PB2), ...get(ROW), ADD, ...set(PB3),
  ...get(I), ...get(ROW), MUL, ...get(A), ADD, ...set(PA),
  ...get(PA), ...get(ROW), ADD, ...set(END),
  ...ZERO, ...set(ACC0), ...ZERO, ...set(ACC1), ...ZERO, ...set(ACC2), ...ZERO, ...set(ACC3),
  ...get(PB0), ...set(PO), // PB0 is advanced in the loop: keep the group's start
  0x03, 0x40, // loop over m, two at a time
  ...get(PA), ...LOAD, ...set(VA),
  ...accumulate(ACC0, PB0), ...accumulate(ACC1, PB1), ...accumulate(ACC2, PB2), ...accumulate(ACC3, PB3),
  ...bump(PA), ...bump(PB0), ...bump(PB1), ...bump(PB2), ...bump(PB3),
  ...get(PA), ...get(END), LT_U, 0x0d, 0, // continue while pa < end
  0x0b,
  // PB0 now points at the 2nd row of the group; the next group starts 3 rows further.
  ...get(PO), ...get(ROW), ...i32c(4), MUL, ADD, ...set(PB0),
  // out + 8·(i·nb + j)
  ...get(I), ...get(NB), MUL, ...get(J), ADD, ...i32c(8), MUL, ...get(OUT), ADD, ...set(PO),
  ...horizontal(ACC0, 0), ...horizontal(ACC1, 8), ...horizontal(ACC2, 16), ...horizontal(ACC3, 24),
  ...get(J), ...i32c(4), ADD, ...set(J),
  ...get(J), ...get(NB), LT_U, 0x0d, 0,
  0x0b, 0x0b, // end loop, end block (groups)
  ...get(I), ...i32c(1), ADD, ...set(I),
  ...get(I), ...get(NA), LT_U, 0x0d, 0,
  0x0b, 0x0b, // end loop, end block (rows)
  0x0b, // end function
];
const moduleBytes = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), 0]])), // (i32 ×6) → ()
  ...section(2, vec([[...str('env'), ...str('memory'), 0x02, 0x00, 0x01]])), // imported memory, min 1 page
  ...section(3, vec([[0]])),
  ...section(7, vec([[...str('rowDots'), 0x00, 0]])),
  ...section(10, vec([[...uleb(body.length), ...body]])),
]);

interface Kernel { memory: WebAssembly.Memory; run: (a: number, b: number, out: number, na: number, nb: number, k: number) => void }
let kernel: Kernel | null | undefined;

function loadKernel(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    const memory = new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(moduleBytes), { env: { memory } });
    kernel = { memory, run: instance.exports.rowDots as Kernel['run'] };
  } catch {
    kernel = null; // no WebAssembly SIMD: the JS path
  }
  return kernel;
}

/** Whether the WebAssembly kernel is in use (false: the JS reference computes the same values). */
export function rowDotsAccelerated(): boolean { return loadKernel() !== null; }

/** The defined result in scalar JS: per dot, even-m products summed in order, odd-m likewise, then added. */
export function rowDotsReference(a: Float64Array, na: number, b: Float64Array, nb: number, K: number, out: Float64Array): Float64Array {
  for (let i = 0; i < na; i++) {
    const ao = i * K;
    for (let j = 0; j < nb; j++) {
      const bo = j * K;
      let even = 0, odd = 0;
      for (let m = 0; m < K; m += 2) { even += a[ao + m]! * b[bo + m]!; odd += a[ao + m + 1]! * b[bo + m + 1]!; }
      out[i * nb + j] = even + odd;
    }
  }
  return out;
}

/**
 * A workspace in the kernel's memory (no copies in or out): the caller writes row i of a at
 * a[i·stride …], row j of b at b[j·stride …], and reads dot (i, j) at out[i·outStride + j]. Padding
 * (an odd K's last column, b's rows up to a multiple of 4) is zero and must stay so. Valid until the
 * next `rowDotsWorkspace` call.
 */
export interface RowDotsWorkspace { a: Float64Array; b: Float64Array; out: Float64Array; stride: number; outStride: number; run(): Float64Array }

let jsMemory = new Float64Array(0);

/** `shared`: b is a (the Gram matrix A·Aᵀ; na = nb), one copy of the rows. */
export function rowDotsWorkspace(na: number, nb: number, K: number, shared = false): RowDotsWorkspace {
  if (shared && na !== nb) throw new Error('rowDots: a shared workspace needs na = nb');
  const stride = K + (K & 1), outStride = (nb + 3) & ~3;
  const aRows = shared ? outStride : na, bRows = shared ? 0 : outStride;
  const floats = (aRows + bRows) * stride + na * outStride;
  const k = loadKernel();
  let buffer: ArrayBufferLike;
  if (k) {
    const need = Math.ceil((8 * floats) / PAGE), have = k.memory.buffer.byteLength / PAGE;
    if (need > have) k.memory.grow(need - have);
    buffer = k.memory.buffer;
  } else {
    if (jsMemory.length < floats) jsMemory = new Float64Array(floats);
    buffer = jsMemory.buffer;
  }
  const bAt = shared ? 0 : aRows * stride, outAt = (aRows + bRows) * stride;
  const a = new Float64Array(buffer, 0, aRows * stride);
  const b = shared ? a : new Float64Array(buffer, 8 * bAt, bRows * stride);
  const out = new Float64Array(buffer, 8 * outAt, na * outStride);
  // Zero the padding (the memory is reused between workspaces).
  if (stride !== K) { for (let i = 0; i < aRows; i++) a[i * stride + K] = 0; if (!shared) for (let j = 0; j < bRows; j++) b[j * stride + K] = 0; }
  (shared ? a : b).fill(0, nb * stride, outStride * stride);
  const run = k
    ? () => { k.run(0, 8 * bAt, 8 * outAt, na, outStride, stride); return out; }
    : () => rowDotsReference(a, na, b, outStride, stride, out);
  return { a, b, out, stride, outStride, run };
}
