/**
 * Builds one articulated figure (head, hair, torso, arms, hands, pelvis, legs, shoes, luggage) as
 * primitives in a local frame: metres, x right in the image, y down, origin between the feet.
 * Body proportions follow height/build/gender/age; clothing follows the torso/leg type, colours and
 * patterns; pose follows the walking phase and the walking direction relative to the camera.
 */
import { css, type RGB } from '../colours';
import type { Prim, Shape } from '../prims';
import type { Appearance } from './sampleAttributes';

export interface Palette {
  skin: RGB; hair: RGB; torso: RGB; torso2: RGB; leg: RGB; leg2: RGB; shoe: RGB; luggage: RGB;
}

export interface Pose {
  /** Walking phase, radians. */
  phase: number;
  /** 0 standing still … 1 full stride. */
  stride: number;
  /** Walking direction seen from the camera: 0 towards it (front view), ±π away (back), +π/2 to the right. */
  view: number;
}

const lerp = (a: number, b: number, t: number) => a + (b - a) * t;

/** `simple`: fewer primitives for figures only a few dozen pixels tall (one capsule per limb, no hands). */
export function buildFigure(app: Appearance, pal: Palette, pose: Pose, simple = false): Prim[] {
  const A = app.attributes;
  const H = app.heightM;
  const W = app.widthScale;
  const female = A.gender === 1;
  const side = Math.abs(Math.sin(pose.view));
  const facing = Math.cos(pose.view);
  const dir = Math.sin(pose.view) >= 0 ? 1 : -1; // walking towards image right?
  const fwd = Math.sin(pose.view); // signed sideways share of the forward direction
  const view: 'front' | 'back' | 'side' = facing > 0.42 ? 'front' : facing < -0.42 ? 'back' : 'side';
  const stoop = A.age === 4 ? 0.03 * H : A.age === 3 ? 0.01 * H : 0;
  const sx = stoop * fwd;

  const headH = H * (A.age === 0 ? 0.138 : 0.128);
  const headRy = headH / 2;
  const headRx = headH * lerp(0.4, 0.44, side);
  const shoulderY = -H * 0.815 + stoop * 0.4;
  const waistY = -H * 0.6;
  const hipY = -H * 0.5;
  const shoulderHalf = lerp(H * (female ? 0.11 : 0.128) * W, H * 0.078 * W, side);
  const waistHalf = lerp(H * (female ? 0.084 : 0.098) * Math.pow(W, 1.15), H * 0.08 * Math.pow(W, 1.3), side);
  const hipHalf = lerp(H * (female ? 0.104 : 0.096) * Math.pow(W, 1.1), H * 0.078 * Math.pow(W, 1.2), side);
  const legSep = hipHalf * 0.52 * (1 - side);

  // Legs: joint positions from the phase. Leg 0 is the far one in side views.
  const thigh = H * 0.24, shin = H * 0.225;
  const amp = 0.42 * pose.stride;
  const legs = [0, 1].map((i) => {
    const ph = pose.phase + i * Math.PI;
    const a = amp * Math.sin(ph);
    const bend = pose.stride * 0.7 * Math.max(0, Math.cos(ph));
    const hx = (i === 0 ? -legSep : legSep) + 0, hy = hipY;
    const kx = hx + thigh * Math.sin(a) * fwd, ky = hy + thigh * Math.cos(a);
    const ax = kx + shin * Math.sin(a - bend) * fwd, ay = ky + shin * Math.cos(a - bend);
    return { hx, hy, kx, ky, ax, ay };
  });
  const footRy = H * 0.024;
  const lowest = Math.max(legs[0]!.ay, legs[1]!.ay) + footRy;
  const bob = -lowest; // shift so the standing foot touches y = 0
  for (const l of legs) { l.hy += bob; l.ky += bob; l.ay += bob; }
  const Y = (y: number) => y + bob;

  const skin = css(pal.skin);
  const hair = css(pal.hair);
  const torso = css(pal.torso);
  const leg = css(pal.leg);
  const shoe = css(pal.shoe);
  const lug = css(pal.luggage);
  const shade = (c: RGB) => css(c, 0.8);
  const spacing = 0.05 * Math.max(0.9, W);
  const torsoPattern = A.torsoPattern > 0 ? { code: A.torsoPattern, colour: css(pal.torso2), spacing } : undefined;
  const legPattern = A.legPattern > 0 ? { code: A.legPattern, colour: css(pal.leg2), spacing } : undefined;
  // Pattern for segments that never carry the picture (shins, hips under the top).
  const limbPattern = legPattern?.code === 6 ? undefined : legPattern;

  const out: Prim[] = [];
  const caps = (x1: number, y1: number, x2: number, y2: number, r: number): Shape => ({ k: 'caps', x1, y1, x2, y2, r });

  // --- pieces ---
  const thighR = H * (female ? 0.049 : 0.047) * W, shinR = H * 0.035 * W;
  const legType = A.legType;
  const bareLegs = legType === 1 || legType === 2;
  const drawLeg = (i: number, far: boolean) => {
    const l = legs[i]!;
    const sk = far ? css(pal.skin, 0.85) : skin;
    const lc = far ? shade(pal.leg) : leg;
    // A picture (logo) is printed once, on the near/right thigh; other patterns cover every segment.
    const thighPat = legPattern?.code === 6 ? (!far && (view === 'side' || i === 1) ? legPattern : undefined) : legPattern;
    if (simple) {
      if (legType === 0) out.push({ shape: caps(l.hx, l.hy, l.ax, l.ay - footRy * 0.3, thighR * 0.95), fill: lc, pattern: thighPat });
      else {
        out.push({ shape: caps(l.hx, l.hy, l.ax, l.ay, shinR * 1.1), fill: sk });
        if (legType === 3 || legType === 4) {
          const f = legType === 3 ? 0.56 : 0.26;
          out.push({ shape: caps(l.hx, l.hy, l.hx + (l.ax - l.hx) * f, l.hy + (l.ay - l.hy) * f, thighR * 1.05), fill: lc, pattern: thighPat });
        }
      }
      out.push({ shape: { k: 'ell', cx: l.ax + fwd * H * 0.025, cy: l.ay + footRy * 0.35, rx: lerp(H * 0.03, H * 0.052, side), ry: footRy }, fill: far ? shade(pal.shoe) : shoe });
      return;
    }
    // Skin underneath; garments are drawn over it.
    if (legType !== 0) {
      out.push({ shape: caps(l.hx, l.hy, l.kx, l.ky, thighR * 0.92), fill: sk });
      out.push({ shape: caps(l.kx, l.ky, l.ax, l.ay, shinR), fill: sk });
    }
    if (legType === 0) {
      out.push({ shape: caps(l.hx, l.hy, l.kx, l.ky, thighR * 1.08), fill: lc, pattern: thighPat });
      out.push({ shape: caps(l.kx, l.ky, l.ax, l.ay - footRy * 0.3, shinR * 1.15), fill: lc, pattern: limbPattern });
    } else if (legType === 3 || legType === 4) {
      const f = legType === 3 ? 1.1 : 0.45;
      const ex = f <= 1 ? l.hx + (l.kx - l.hx) * f : l.kx + (l.ax - l.kx) * (f - 1);
      const ey = f <= 1 ? l.hy + (l.ky - l.hy) * f : l.ky + (l.ay - l.ky) * (f - 1);
      if (f > 1) out.push({ shape: caps(l.hx, l.hy, l.kx, l.ky, thighR * 1.12), fill: lc, pattern: thighPat });
      out.push({ shape: caps(f > 1 ? l.kx : l.hx, f > 1 ? l.ky : l.hy, ex, ey, (f > 1 ? shinR : thighR) * 1.15), fill: lc, pattern: f > 1 ? limbPattern : thighPat });
    }
    const shoeRx = lerp(H * 0.03, H * 0.052, side);
    out.push({ shape: { k: 'ell', cx: l.ax + fwd * H * 0.025, cy: l.ay + footRy * 0.35, rx: shoeRx, ry: footRy }, fill: far ? shade(pal.shoe) : shoe });
    if (app.legTrim && legType === 0) {
      out.push({ shape: caps(l.ax - shinR, l.ay - footRy * 1.3, l.ax + shinR, l.ay - footRy * 1.3, footRy * 0.5), fill: css(pal.leg2), decor: true });
    }
  };

  const armR = H * 0.031 * Math.pow(W, 0.9);
  const upper = H * 0.18, fore = H * 0.16;
  const arms = [0, 1].map((i) => {
    const ph = pose.phase + i * Math.PI;
    const a = -(0.32 * pose.stride + 0.03) * Math.sin(ph);
    const sxo = side > 0.6 ? 0 : (i === 0 ? -1 : 1) * (shoulderHalf - armR * 0.7);
    const shx = sx + sxo, shy = Y(shoulderY + armR * 0.9);
    const out2 = side > 0.6 ? 0 : (i === 0 ? -1 : 1) * armR * 0.35;
    const ex = shx + upper * Math.sin(a) * fwd + out2, ey = shy + upper * Math.cos(a);
    const g = 0.15 + 0.35 * pose.stride * Math.max(0, -Math.sin(ph));
    const wx = ex + fore * Math.sin(a + g) * fwd + out2 * 0.5, wy = ey + fore * Math.cos(a + g);
    return { shx, shy, ex, ey, wx, wy };
  });
  const drawArm = (i: number, far: boolean) => {
    const a = arms[i]!;
    const sk = far ? css(pal.skin, 0.85) : skin;
    const tc = far ? shade(pal.torso) : torso;
    const t = A.torsoType;
    if (simple) {
      out.push({ shape: caps(a.shx, a.shy, a.wx, a.wy, armR * 1.05), fill: t === 0 ? tc : sk });
      if (t === 1) out.push({ shape: caps(a.shx, a.shy, a.shx + (a.wx - a.shx) * 0.35, a.shy + (a.wy - a.shy) * 0.35, armR * 1.18), fill: tc });
      return;
    }
    if (t === 0) {
      out.push({ shape: caps(a.shx, a.shy, a.ex, a.ey, armR * 1.12), fill: tc });
      out.push({ shape: caps(a.ex, a.ey, a.wx, a.wy, armR * 1.02), fill: tc });
      if (app.torsoTrim) out.push({ shape: caps(a.wx - (a.wx - a.ex) * 0.12, a.wy - (a.wy - a.ey) * 0.12, a.wx, a.wy, armR * 1.05), fill: css(pal.torso2), decor: true });
    } else {
      out.push({ shape: caps(a.shx, a.shy, a.ex, a.ey, armR * 0.95), fill: sk });
      out.push({ shape: caps(a.ex, a.ey, a.wx, a.wy, armR * 0.85), fill: sk });
      if (t === 1) {
        const f = 0.6;
        out.push({ shape: caps(a.shx, a.shy, a.shx + (a.ex - a.shx) * f, a.shy + (a.ey - a.shy) * f, armR * 1.18), fill: tc });
      }
    }
    const hx = a.wx + (a.wx - a.ex) * 0.18, hy = a.wy + (a.wy - a.ey) * 0.18;
    out.push({ shape: { k: 'ell', cx: hx, cy: hy, rx: armR * 0.8, ry: armR * 1.0 }, fill: sk, fine: true });
  };

  const torsoShape = (): Shape => ({
    k: 'poly',
    pts: [
      -shoulderHalf + sx, Y(shoulderY), -shoulderHalf * 0.4 + sx, Y(shoulderY - H * 0.012),
      shoulderHalf * 0.4 + sx, Y(shoulderY - H * 0.012), shoulderHalf + sx, Y(shoulderY),
      waistHalf, Y(waistY), hipHalf, Y(hipY + H * 0.02), -hipHalf, Y(hipY + H * 0.02), -waistHalf, Y(waistY),
    ],
  });
  const drawPelvis = () => {
    if (legType === 0 || legType === 3 || legType === 4) {
      out.push({
        shape: { k: 'poly', pts: [-waistHalf, Y(waistY), waistHalf, Y(waistY), hipHalf, Y(hipY), hipHalf * 0.9, Y(hipY + H * 0.05), -hipHalf * 0.9, Y(hipY + H * 0.05), -hipHalf, Y(hipY)] },
        fill: leg, pattern: limbPattern,
      });
    }
  };
  const drawSkirt = () => {
    if (!bareLegs) return;
    const hemY = legType === 1 ? -H * 0.24 : -H * 0.3;
    const spread = Math.abs(legs[0]!.kx - legs[1]!.kx) * 0.5;
    const hemHalf = Math.max(hipHalf * 1.3, hipHalf + spread);
    out.push({ shape: { k: 'poly', pts: [-waistHalf * 1.02, Y(waistY), waistHalf * 1.02, Y(waistY), hipHalf * 1.05, Y(hipY), hemHalf, Y(hemY), -hemHalf, Y(hemY), -hipHalf * 1.05, Y(hipY)] }, fill: leg, pattern: legPattern });
    if (app.legTrim) out.push({ shape: caps(-hemHalf * 0.95, Y(hemY) - H * 0.01, hemHalf * 0.95, Y(hemY) - H * 0.01, H * 0.011), fill: css(pal.leg2), decor: true });
  };
  const drawTorso = () => {
    out.push({ shape: torsoShape(), fill: torso, pattern: torsoPattern });
    if (app.torsoTrim) {
      out.push({ shape: caps(-hipHalf * 0.95, Y(hipY + H * 0.005), hipHalf * 0.95, Y(hipY + H * 0.005), H * 0.013), fill: css(pal.torso2), decor: true });
      if (view !== 'back') out.push({ shape: caps(-shoulderHalf * 0.35 + sx, Y(shoulderY - H * 0.005), shoulderHalf * 0.35 + sx, Y(shoulderY - H * 0.005), H * 0.014), fill: css(pal.torso2), decor: true });
    }
  };
  const headCx = sx * 1.4, headCy = Y(-H + headRy + stoop * 0.6);
  const drawNeck = () => simple || out.push({ shape: caps(sx * 1.2, headCy + headRy * 0.6, sx, Y(shoulderY), headRx * 0.45), fill: skin, fine: true });
  const longHair = app.hairLength === 'long' || app.hairLength === 'medium';
  const hairEnd = app.hairLength === 'long' ? Y(shoulderY + H * 0.07) : Y(shoulderY - H * 0.01);
  const drawHairBehind = () => {
    if (!longHair) return;
    const w = headRx * 1.15;
    if (view === 'side') {
      const bx = headCx - dir * headRx * 0.55;
      out.push({ shape: { k: 'poly', pts: [bx - w * 0.5, headCy - headRy * 0.3, bx + w * 0.5, headCy - headRy * 0.3, bx + w * 0.45, hairEnd, bx - w * 0.45, hairEnd] }, fill: hair });
    } else {
      out.push({ shape: { k: 'poly', pts: [headCx - w, headCy - headRy * 0.2, headCx + w, headCy - headRy * 0.2, headCx + w * 1.02, hairEnd, headCx - w * 1.02, hairEnd] }, fill: hair });
    }
  };
  const drawHead = () => {
    const shaved = app.hairLength === 'shaved';
    if (view === 'back') {
      out.push({ shape: { k: 'ell', cx: headCx, cy: headCy, rx: headRx, ry: headRy }, fill: shaved ? skin : hair });
      if (shaved) out.push({ shape: { k: 'ell', cx: headCx, cy: headCy - headRy * 0.25, rx: headRx * 0.92, ry: headRy * 0.7 }, fill: css(pal.hair, 0.9), decor: true });
      return;
    }
    if (shaved) {
      out.push({ shape: { k: 'ell', cx: headCx, cy: headCy, rx: headRx, ry: headRy }, fill: skin });
      out.push({ shape: { k: 'ell', cx: headCx, cy: headCy - headRy * 0.5, rx: headRx * 0.8, ry: headRy * 0.4 }, fill: css(pal.hair), decor: true });
      return;
    }
    out.push({ shape: { k: 'ell', cx: headCx, cy: headCy - headRy * 0.05, rx: headRx * 1.06, ry: headRy * 1.03 }, fill: hair });
    const fx = view === 'side' ? headCx + dir * headRx * 0.28 : headCx;
    const frx = view === 'side' ? headRx * 0.72 : headRx * 0.82;
    out.push({ shape: { k: 'ell', cx: fx, cy: headCy + headRy * 0.2, rx: frx, ry: headRy * 0.78 }, fill: skin });
  };

  const drawLuggageBehind = () => {
    if (app.luggage === 'backpack' && view === 'front') {
      out.push({ shape: { k: 'poly', pts: [-shoulderHalf * 1.02 + sx, Y(shoulderY + H * 0.03), shoulderHalf * 1.02 + sx, Y(shoulderY + H * 0.03), shoulderHalf * 0.95, Y(waistY + H * 0.02), -shoulderHalf * 0.95, Y(waistY + H * 0.02)] }, fill: lug, luggage: true });
    }
  };
  const drawLuggageFront = () => {
    const kind = app.luggage;
    if (kind === 'backpack') {
      if (view === 'back') {
        out.push({ shape: { k: 'poly', pts: [-shoulderHalf * 0.78, Y(shoulderY + H * 0.025), shoulderHalf * 0.78, Y(shoulderY + H * 0.025), shoulderHalf * 0.82, Y(waistY + H * 0.03), -shoulderHalf * 0.82, Y(waistY + H * 0.03)] }, fill: lug, luggage: true });
      } else if (view === 'side') {
        const b0 = sx - dir * shoulderHalf * 0.8, b1 = b0 - dir * H * 0.1;
        out.push({ shape: { k: 'poly', pts: [b0, Y(shoulderY + H * 0.01), b1, Y(shoulderY + H * 0.03), b1, Y(waistY + H * 0.03), b0, Y(waistY + H * 0.04)] }, fill: lug, luggage: true });
        out.push({ shape: caps(sx + dir * shoulderHalf * 0.2, Y(shoulderY), sx - dir * shoulderHalf * 0.1, Y(waistY), H * 0.008), fill: lug, decor: true });
      } else {
        for (const s of [-1, 1]) out.push({ shape: caps(s * shoulderHalf * 0.55 + sx, Y(shoulderY), s * waistHalf * 0.7, Y(waistY + H * 0.02), H * 0.009), fill: lug, decor: true });
      }
    } else if (kind === 'handbag') {
      const s = view === 'side' ? -dir * 0.3 : 1;
      const bx = s * (hipHalf + H * 0.035), by = Y(hipY - H * 0.02);
      out.push({ shape: caps(s * shoulderHalf * 0.6 + sx, Y(shoulderY), bx, by - H * 0.04, H * 0.007), fill: lug, decor: true });
      out.push({ shape: { k: 'poly', pts: [bx - H * 0.045, by - H * 0.045, bx + H * 0.045, by - H * 0.045, bx + H * 0.055, by + H * 0.035, bx - H * 0.055, by + H * 0.035] }, fill: lug, luggage: true });
    } else if (kind === 'suitcase') {
      const arm = arms[1]!;
      const cw = view === 'side' ? H * 0.24 : H * 0.2;
      const cx = view === 'side' ? -dir * H * 0.3 : shoulderHalf + H * 0.14;
      const top = -H * 0.36;
      out.push({ shape: caps(arm.wx, arm.wy, cx, top - H * 0.06, H * 0.007), fill: 'rgb(40,40,40)', decor: true });
      out.push({ shape: { k: 'poly', pts: [cx - cw / 2, top, cx + cw / 2, top, cx + cw / 2, -H * 0.015, cx - cw / 2, -H * 0.015] }, fill: lug, luggage: true });
    }
  };

  // --- draw order by view ---
  drawLuggageBehind();
  if (view === 'front') drawHairBehind();
  if (view === 'side') {
    const far = dir > 0 ? 0 : 1;
    const near = 1 - far;
    drawArm(far, true);
    drawLeg(far, true);
    drawLeg(near, false);
    drawPelvis();
    drawSkirt();
    drawTorso();
    drawNeck();
    drawHead();
    drawHairBehind();
    drawLuggageFront();
    drawArm(near, false);
  } else {
    drawLeg(0, false);
    drawLeg(1, false);
    drawPelvis();
    drawSkirt();
    drawNeck();
    drawTorso();
    drawArm(0, false);
    drawArm(1, false);
    drawHead();
    if (view === 'back') drawHairBehind();
    drawLuggageFront();
  }
  return out;
}
