/** The evaluation report as Markdown tables (the paper's Table 1 layout first). */
import { findCell } from './paper';
import { RECALL_IOUS, RECALL_NS, type EvalReport, type RecallCell } from './types';

const pct = (x: number) => (100 * x).toFixed(2);

function recallRow(label: string, cells: RecallCell[]): string {
  const values = RECALL_NS.flatMap((n) => RECALL_IOUS.map((m) => {
    const cell = findCell(cells, n, m);
    return cell ? pct(cell.recall) : '–';
  }));
  return `| ${label} | ${values.join(' | ')} |`;
}

export function recallTableHeader(extra: string[] = []): string[] {
  const cols = RECALL_NS.flatMap((n) => RECALL_IOUS.map((m) => `R@${n} IoU>${m}`));
  return [
    `| Model | ${[...cols, ...extra].join(' | ')} |`,
    `|---|${[...cols, ...extra].map(() => '---:').join('|')}|`,
  ];
}

export function formatEvalMarkdown(report: EvalReport): string {
  const out: string[] = [];
  const c = report.counts;
  out.push(`## Evaluation: ${report.model}`, '');
  out.push(
    `Dataset \`${report.dataset.dir}\` (${report.dataset.source}), split **${report.dataset.split}**: ` +
      `${c.labelledFrames}/${c.frames} labelled frames, ${c.queries} queries ` +
      `(${c.presentQueries} with the target present, ${c.absentQueries} absent-target)` +
      (c.missingPredictions ? `, **${c.missingPredictions} without a prediction** (scored as absent)` : '') + '.',
    '',
  );
  if (report.paper) {
    out.push(`### Paper protocol (R@n in %, ${report.paper.queries} present-target queries)`, '');
    out.push(...recallTableHeader());
    out.push(recallRow(`${report.model} — any matching person`, report.paper.anyMatch));
    out.push(recallRow(`${report.model} — query's own target`, report.paper.target));
    // Older JSON reports have no anyPerson.
    if (report.paper.anyPerson) out.push(recallRow(`diagnostic: a box on any person in the frame (query ignored)`, report.paper.anyPerson));
    out.push('');
  }
  if (report.avss) {
    const a = report.avss;
    out.push(`### AVSS 2018 protocol (${a.sequences.length} sequences, ${a.items} scored frames)`, '');
    out.push('| Model | Average IoU | %w IoU≥0.4 |', '|---|---:|---:|');
    out.push(`| ${report.model} | ${a.meanIoU.toFixed(3)} | ${pct(a.shareIoU04)} |`, '');
  }
  const ab = report.absent;
  out.push('### Absent targets and thresholding', '');
  out.push('| Absent-target queries | Answered with a box (FPR) | Present-target queries | Flagged absent (miss rate) |');
  out.push('|---:|---:|---:|---:|');
  out.push(`| ${ab.absentQueries} | ${ab.falsePositives} (${pct(ab.falsePositiveRate)} %) | ${ab.presentQueries} | ${ab.missedByThreshold} (${pct(ab.missRate)} %) |`, '');
  const sweep = report.thresholds;
  if (sweep?.balanced) {
    out.push('Other thresholds (best candidate\'s score; choose on a validation split, set with `export-onnx --threshold`):', '');
    out.push(`| Threshold | ${sweep.points.map((p) => p.threshold.toFixed(2)).join(' | ')} |`);
    out.push(`|---|${sweep.points.map(() => '---:').join('|')}|`);
    out.push(`| Absent answered (FPR, %) | ${sweep.points.map((p) => pct(p.falsePositiveRate)).join(' | ')} |`);
    out.push(`| Present flagged absent (%) | ${sweep.points.map((p) => pct(p.missRate)).join(' | ')} |`, '');
    out.push(`Balanced operating point: ${sweep.balanced.threshold.toFixed(2)} (FPR ${pct(sweep.balanced.falsePositiveRate)} %, miss rate ${pct(sweep.balanced.missRate)} %).`, '');
  }
  out.push('### Per attribute (R@1, IoU>0.5, any matching person, in %)', '');
  out.push('| Attribute | Queries | R@1 | By value (queries: R@1) |', '|---|---:|---:|---|');
  for (const a of report.attributes) {
    if (a.queries === 0) continue;
    const values = a.values.map((v) => `${v.value} (${v.queries}): ${pct(v.recall)}`).join('; ');
    out.push(`| ${a.label} | ${a.queries} | ${pct(a.recall)} | ${values} |`);
  }
  if (report.conditions?.length) {
    out.push('', '### By viewing condition (present targets; IoU>0.5, any matching person, in %)', '');
    out.push('| Condition | Queries | R@1 | R@5 |', '|---|---:|---:|---:|');
    const dimension = { targetHeight: 'Target height', crowd: 'Crowd', visibility: 'Target visibility' } as const;
    let last = '';
    for (const c of report.conditions) {
      const name = c.dimension === last ? '' : `${dimension[c.dimension]}: `;
      last = c.dimension;
      out.push(`| ${name}${c.label} | ${c.queries} | ${c.queries ? pct(c.recallAt1) : '—'} | ${c.queries ? pct(c.recallAt5) : '—'} |`);
    }
  }
  if (report.msPerFrame !== undefined) out.push('', `Prediction time: ${report.msPerFrame.toFixed(1)} ms per frame (indicative; shared machine).`);
  return out.join('\n') + '\n';
}
