/**
 * Still-image mode: frame k belongs to scene floor(k / framesPerScene); every frame's randomness
 * derives from (seed, scene, frame), so frames can be made in any order and come out identical.
 */
import type { FrameAnnotation, Query } from '../dataset/format';
import { decodeImage, encodeCanvas } from '../image/canvas';
import { sampleDegrade } from './degrade';
import { annotateFrame, renderFrame, type AnnotatedFrame, type ComposedFrame } from './frame';
import { layoutStill } from './layout';
import { completeAbsentQueries, drawStyle, isLegacyV1, minTargetPixels, sequenceId, type SynthOptions } from './options';
import { sampleAppearance } from './person/sampleAttributes';
import { absentQuery, targetQuery, type Candidate, type TextFormatter } from './queries';
import { Rng } from './rng';
import { sampleScene, type Scene } from './scene';

const sceneCache = new Map<string, Scene>();

export function sceneFor(o: SynthOptions, sceneIndex: number): Scene {
  const legacy = isLegacyV1(o);
  const key = `${o.seed}:${sceneIndex}:${o.width}x${o.height}:${legacy ? 'v1.0' : 'v'}`;
  let scene = sceneCache.get(key);
  if (!scene) {
    scene = sampleScene(Rng.derive(o.seed, sceneIndex, 0x5c3e), o.width, o.height, legacy);
    if (sceneCache.size >= 4) sceneCache.delete(sceneCache.keys().next().value!);
    sceneCache.set(key, scene);
  }
  return scene;
}

/** Queries of one frame: one target query (+ sometimes an absent-target one). */
export function frameQueries(rng: Rng, composed: ComposedFrame, o: SynthOptions, format?: TextFormatter): Query[] {
  const byId = new Map(composed.persons.map((p) => [p.id, p]));
  // Matches list every person in the frame the query fits (dataset rule), tiny or occluded ones too.
  const everyone: Candidate[] = composed.persons.map((p) => ({ id: p.id, attributes: p.attributes }));
  const queries: Query[] = [];
  if (composed.targetCandidates.length) {
    const targetId = rng.pick(composed.targetCandidates);
    queries.push(targetQuery(rng, { id: targetId, attributes: byId.get(targetId)!.attributes }, everyone, o.queries, format));
  }
  if (rng.chance(o.queries.absentShare) || queries.length === 0) {
    // 1.3.0: complete as often as target queries; decided and built on a forked stream, so the rest of the frame stays 1.2.0's.
    const complete = completeAbsentQueries(o) ? { share: o.queries.completeShare, rng: rng.fork(78) } : undefined;
    const absent = absentQuery(rng, everyone, sampleAppearance(rng.fork(77)).attributes, format, complete);
    if (absent) queries.push(absent);
  }
  return queries;
}

export interface GeneratedFrame {
  annotation: FrameAnnotation;
  image: Buffer;
}

export function generateStillFrame(o: SynthOptions, frame: number, format?: TextFormatter): GeneratedFrame {
  const sceneIndex = Math.floor(frame / o.framesPerScene);
  const frameIndex = frame % o.framesPerScene;
  const scene = sceneFor(o, sceneIndex);
  const rng = Rng.derive(o.seed, sceneIndex, frameIndex, 0xf7a3);
  const degrade = sampleDegrade(rng.fork(1), o.degrade, scene.gain, scene.cast);
  let annotated: AnnotatedFrame | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    const people = layoutStill(rng.fork(100 + attempt), scene, o.crowd, attempt > 0);
    annotated = annotateFrame(scene, people, minTargetPixels(o));
    if (annotated.targetCandidates.length) break;
  }
  // Only the accepted layout is drawn.
  const c = renderFrame(scene, annotated!, degrade, true, drawStyle(o));
  const seq = sequenceId(o.seed, sceneIndex);
  const ext = o.imageFormat === 'png' ? 'png' : 'jpg';
  const image = `images/${seq}/${String(frameIndex).padStart(5, '0')}.${ext}`;
  return {
    annotation: {
      id: `${seq}-f${String(frameIndex).padStart(5, '0')}`,
      image,
      width: o.width,
      height: o.height,
      sequence: seq,
      frameIndex,
      labelled: true,
      persons: c.persons,
      queries: frameQueries(rng.fork(2), c, o, format),
    },
    image: encodeFrame(c, o, degrade.jpegQuality),
  };
}

export function encodeFrame(c: ComposedFrame, o: SynthOptions, quality: number): Buffer {
  if (o.imageFormat === 'png' && quality < 90) {
    // PNG output keeps the compression artefacts of the sampled JPEG quality.
    const ctx = c.canvas.getContext('2d');
    ctx.drawImage(decodeImage(encodeCanvas(c.canvas, 'jpeg', quality)), 0, 0);
  }
  return encodeCanvas(c.canvas, o.imageFormat, quality);
}
