/** A tiny on-disk dataset for baseline tests: PNG frames with flat-coloured "people" (torso colour on top, legs below). */
import type { FrameAnnotation, Person } from '../dataset/format';
import { DatasetWriter } from '../dataset/writer';
import { createSurface, encodeCanvas } from '../image/canvas';
import { seededUniform } from './params';

const RGB: Record<number, string> = { 0: '#111', 1: '#22f', 8: '#e22', 9: '#eee' };
const CODES = [0, 1, 8, 9];

export async function writeBlocksDataset(
  dir: string, frames: number,
  splits: { train: string[]; val: string[]; test: string[] } = { train: ['s0', 's1', 's2'], val: [], test: ['s3'] },
): Promise<void> {
  const rand = seededUniform(11);
  const w = DatasetWriter.create(dir, { source: 'test', generator: { name: 'blocks', version: '0', parameters: {} } });
  for (let i = 0; i < frames; i++) {
    const { canvas, ctx } = createSurface(64, 48);
    ctx.fillStyle = '#5a6';
    ctx.fillRect(0, 0, 64, 48);
    const persons: Person[] = [];
    for (let k = 0; k < 2; k++) {
      const torso = CODES[Math.floor(rand() * 4)]!;
      const leg = CODES[Math.floor(rand() * 4)]!;
      const l = k * 32 + Math.floor(rand() * 12), t = Math.floor(rand() * 12);
      ctx.fillStyle = RGB[torso]!;
      ctx.fillRect(l, t, 12, 14);
      ctx.fillStyle = RGB[leg]!;
      ctx.fillRect(l, t + 14, 12, 16);
      persons.push({ id: `p${k}`, box: [l, t, l + 12, t + 30], attributes: { torsoColour: torso, legColour: leg } });
    }
    const target = persons[0]!;
    const image = `images/${i}.png`;
    await w.addFile(image, encodeCanvas(canvas, 'png'));
    const matches = persons.filter((p) => p.attributes.torsoColour === target.attributes.torsoColour && p.attributes.legColour === target.attributes.legColour).map((p) => p.id);
    const absentColour = CODES.find((c) => !persons.some((p) => p.attributes.torsoColour === c))!;
    const frame: FrameAnnotation = {
      id: `f${i}`, image, width: 64, height: 48, sequence: `s${i % 4}`, frameIndex: i, labelled: true, persons,
      queries: [
        { attributes: target.attributes, matches, target: 'p0', kind: 'complete' },
        { attributes: { torsoColour: absentColour }, matches: [], kind: 'absent' },
      ],
    };
    w.addFrame(frame);
  }
  w.finish(splits);
}

