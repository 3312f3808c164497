/**
 * Diagnostic: how fine must the grid be for a dataset's targets? A FastPR cell predicts one box and one
 * confidence. A target centred in the same cell as another person must be told apart from them by
 * the query alone, in the same box slot; and in the dense box targets the largest person centred in a
 * cell owns it (`cellOwners`). For each grid S this prints the share of queries whose target is alone
 * in its centre cell and whose target owns it, and the targets' heights in input pixels.
 *   npm run probe:grid -- DATASET_DIR [--split test|val|train|all] [--size 224] [--grids 7,14,28]
 */
import { parseArgs } from 'node:util';
import { framesOfSplit, readDataset } from '../core/dataset/reader';
import { encodeBox } from '../core/model/boxes';
import { inputPlacement, type Box } from '../core/model/preprocess';
import { cellOwners } from '../core/train/batch';
import type { SplitName } from '../core/dataset/format';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { split: { type: 'string', default: 'all' }, size: { type: 'string', default: '224' }, grids: { type: 'string', default: '7,14,28' } },
});
const dir = positionals[0];
if (!dir) {
  console.error('usage: npm run probe:grid -- DATASET_DIR [--split test|val|train|all] [--size 224] [--grids 7,14,28]');
  process.exit(2);
}
const size = Number(values.size);
const grids = String(values.grids).split(',').map(Number);
const dataset = readDataset(dir);
const frames = values.split === 'all' ? dataset.frames : framesOfSplit(dataset, values.split as SplitName);

const heights: number[] = [];
const tally = new Map(grids.map((g) => [g, { queries: 0, alone: 0, owner: 0 }]));
for (const frame of frames) {
  if (!frame.labelled) continue;
  // Letterbox placement, as the workstation feeds frames to the model.
  const p = inputPlacement(frame.width, frame.height, size);
  const sx = p.width / frame.width, sy = p.height / frame.height;
  const persons = frame.persons.map((person) => ({
    id: person.id,
    box: [person.box[0] * sx + p.padX, person.box[1] * sy + p.padY, person.box[2] * sx + p.padX, person.box[3] * sy + p.padY] as Box,
  }));
  for (const query of frame.queries) {
    const target = persons.find((person) => person.id === query.target);
    if (!target) continue;
    heights.push(target.box[3] - target.box[1]);
    for (const grid of grids) {
      const t = tally.get(grid)!;
      const owners = cellOwners(persons, size, grid);
      const cellOf = (b: Box) => encodeBox(b, size, size, grid).cell;
      const cell = cellOf(target.box);
      t.queries++;
      if (persons.every((other) => other === target || cellOf(other.box) !== cell)) t.alone++;
      if (owners.get(cell)?.person === target) t.owner++;
    }
  }
}
heights.sort((a, b) => a - b);
if (heights.length === 0) {
  console.error(`${dir}: no labelled frame with a query in split ${values.split}`);
  process.exit(1);
}
const pct = (q: number) => heights[Math.min(heights.length - 1, Math.floor(q * heights.length))]!.toFixed(1);
console.log(`probe:grid  ${dir}  split=${values.split}  input ${size}×${size} (letterbox)  ${heights.length} queries`);
console.log(`target height in input pixels: p10 ${pct(0.1)}  median ${pct(0.5)}  p90 ${pct(0.9)}`);
console.log('grid  cell px  target alone in its cell  target owns its cell');
for (const [grid, t] of tally) {
  console.log(`${String(grid).padStart(4)}  ${(size / grid).toFixed(1).padStart(7)}  ${((100 * t.alone) / t.queries).toFixed(1).padStart(23)} %  ${((100 * t.owner) / t.queries).toFixed(1).padStart(20)} %`);
}
