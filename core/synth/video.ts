/**
 * Video mode: clips of people walking tracks (constant ids across frames), encoded to MP4, with
 * ground truth for every frame in annotations.jsonl. By default every frame also gets a still image
 * (dataset check requires one per line); with imageEvery N > 1 only every Nth does and the other
 * lines' `image` is `videos/<sequence>.mp4#frame=<index>` (decode the clip at `time`).
 */
import type { DatasetWriter } from '../dataset/writer';
import type { FrameAnnotation } from '../dataset/format';
import { rawRgba } from '../image/canvas';
import { Mp4Encoder } from '../video/encode';
import { sampleDegrade } from './degrade';
import { composeFrame } from './frame';
import { encodeFrame, frameQueries, sceneFor } from './generate';
import { drawStyle, minTargetPixels, sequenceId, type SynthOptions } from './options';
import { matchesQuery, targetQuery, type Candidate, type TextFormatter } from './queries';
import { Rng } from './rng';
import { personAt, planTracks } from './trajectories';

export interface ClipPlan { index: number; sequence: string; frames: number }

/** Clips of `seconds` each until `frames` video frames in total (the last clip may be shorter). */
export function clipPlan(o: SynthOptions): ClipPlan[] {
  const v = o.video!;
  const per = Math.max(1, Math.round(v.seconds * v.fps));
  const plans: ClipPlan[] = [];
  for (let done = 0, i = 0; done < o.frames; i++) {
    const n = Math.min(per, o.frames - done);
    plans.push({ index: i, sequence: sequenceId(o.seed, i), frames: n });
    done += n;
  }
  return plans;
}

export async function generateClip(
  o: SynthOptions, clip: ClipPlan, writer: DatasetWriter, progress: (frames: number) => void, format?: TextFormatter,
): Promise<void> {
  const v = o.video!;
  const scene = sceneFor(o, clip.index);
  const rng = Rng.derive(o.seed, clip.index, 0x71de0);
  const tracks = planTracks(rng.fork(1), scene, clip.frames / v.fps, o.crowd);
  // One camera: degradations fixed for the clip except the noise pattern.
  const degrade = sampleDegrade(rng.fork(2), o.degrade, scene.gain, scene.cast);
  const videoPath = `videos/${clip.sequence}.mp4`;
  const encoder = Mp4Encoder.start(writer.pathFor(videoPath), { width: o.width, height: o.height, fps: v.fps });
  // The clip's query is made once for its subject (like a SoftBioSearch sequence), when possible.
  let clipQuery: ReturnType<typeof targetQuery> | undefined;
  try {
    for (let i = 0; i < clip.frames; i++) {
      const t = i / v.fps;
      const fr = rng.fork(1000 + i);
      const people = tracks.map((tr) => personAt(tr, t)).filter((p) => p !== undefined);
      const d = { ...degrade, noiseOffset: [fr.int(0, 255), fr.int(0, 255)] as [number, number] };
      const c = composeFrame(scene, people, d, minTargetPixels(o), true, drawStyle(o));
      await encoder.writeFrame(rawRgba(c.canvas));
      const byId = new Map(c.persons.map((p) => [p.id, p]));
      const everyone: Candidate[] = c.persons.map((p) => ({ id: p.id, attributes: p.attributes }));
      if (!clipQuery && c.targetCandidates.length) {
        const id = fr.pick(c.targetCandidates);
        clipQuery = targetQuery(fr.fork(3), { id, attributes: byId.get(id)!.attributes }, everyone, o.queries, format);
      }
      let queries: FrameAnnotation['queries'];
      if (clipQuery && c.targetCandidates.includes(clipQuery.target!)) {
        queries = [{ ...clipQuery, matches: everyone.filter((p) => matchesQuery(clipQuery!.attributes, p.attributes)).map((p) => p.id) }];
      } else {
        queries = frameQueries(fr.fork(4), c, o, format);
      }
      const keep = i % v.imageEvery === 0;
      const image = keep ? `images/${clip.sequence}/${String(i).padStart(5, '0')}.${o.imageFormat === 'png' ? 'png' : 'jpg'}` : `${videoPath}#frame=${i}`;
      if (keep) await writer.addFile(image, encodeFrame(c, o, d.jpegQuality));
      writer.addFrame({
        id: `${clip.sequence}-f${String(i).padStart(5, '0')}`,
        image, width: o.width, height: o.height, sequence: clip.sequence, frameIndex: i,
        time: Math.round(t * 1e6) / 1e6, labelled: true, persons: c.persons, queries,
      });
      progress(1);
    }
    await encoder.finish();
  } catch (err) {
    encoder.abort();
    throw err;
  }
  writer.addVideo(clip.sequence, videoPath);
}
