/**
 * Writes a tiny SoftBioSearch tree in the documented layout (index XML, one folder per sequence
 * with its XML and PNG frames) for importer tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from './png';

export interface FixtureFrame {
  gt: boolean;
  /** 18 numbers: hx hy rfx rfy lfx lfy rsx rsy lsx lsy rnx rny lnx lny rwx rwy lwx lwy (-1 = missing). */
  keypoints?: number[];
}

export interface FixtureSequence {
  dir: string;
  camera?: string;
  /** Tag → code; tags not given are written as -1. */
  attributes?: Record<string, number | string>;
  frames: FixtureFrame[];
  /** Write the frame PNGs (default true). */
  writeImages?: boolean;
}

export const FIXTURE_TAGS = [
  'Age', 'Gender', 'Height', 'Build', 'Skin', 'Hair', 'Torso-Color', 'Torso-SecondColor', 'Torso-Type', 'Torso-Pattern',
  'Leg-Color', 'Leg-SecondColor', 'Leg-Type', 'Leg-Pattern', 'Shoe-Color', 'Luggage',
];
const KP_NAMES = ['hx', 'hy', 'rfx', 'rfy', 'lfx', 'lfy', 'rsx', 'rsy', 'lsx', 'lsy', 'rnx', 'rny', 'lnx', 'lny', 'rwx', 'rwy', 'lwx', 'lwy'];

export function sequenceXml(seq: FixtureSequence): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<QUTSoftBioSearchSubject init-frames="1" total-frames="${seq.frames.length}" annot-frames="${seq.frames.filter((f) => f.gt).length}" camera="${seq.camera ?? 'C1'}">`,
  ];
  for (const tag of FIXTURE_TAGS) lines.push(`  <${tag}>${seq.attributes?.[tag] ?? -1}</${tag}>`);
  seq.frames.forEach((f, i) => {
    const kp = f.gt ? (f.keypoints ?? [20, 5, 15, 60, 25, 61, 12, 20, 28, 20, 18, 14, 22, 14, 14, 35, 26, 36]) : KP_NAMES.map(() => -1);
    const attrs = KP_NAMES.map((n, k) => `${n}="${kp[k]}"`).join(' ');
    lines.push(`  <fhs filename="${seq.dir}_im_${String(i).padStart(4, '0')}.png" gt="${f.gt}" ${attrs}/>`);
  });
  lines.push('</QUTSoftBioSearchSubject>', '');
  return lines.join('\n');
}

/** Writes the sequences under root with an index XML; returns the index path. */
export function writeSoftBioFixture(root: string, sequences: FixtureSequence[], width = 40, height = 64): string {
  mkdirSync(root, { recursive: true });
  const index = ['<?xml version="1.0"?>', '<QUTSoftBioSearch>'];
  for (const seq of sequences) {
    const dir = join(root, seq.dir);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${seq.dir}.xml`), sequenceXml(seq));
    if (seq.writeImages !== false) {
      const png = encodePng(width, height, (x, y) => [x * 6, y * 4, 90]);
      seq.frames.forEach((_, i) => writeFileSync(join(dir, `${seq.dir}_im_${String(i).padStart(4, '0')}.png`), png));
    }
    index.push(`  <Subject dir="${seq.dir}" xml="${seq.dir}.xml"/>`);
  }
  index.push('</QUTSoftBioSearch>', '');
  const file = join(root, 'QUTSoftBioSearch.xml');
  writeFileSync(file, index.join('\n'));
  return file;
}
