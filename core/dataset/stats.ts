/**
 * Dataset statistics, overall and per split: attribute histograms (count and share of the people
 * labelled for that attribute), people per frame, box sizes and query kinds.
 */
import { ATTRIBUTES, UNKNOWN, type AttributeKey } from '../attributes/schema';
import type { FrameAnnotation, SplitName } from './format';
import type { Dataset } from './reader';

export interface ValueCount { code: number; value: string; count: number; share: number }
export interface AttributeHistogram {
  key: AttributeKey; tag: string;
  /** People whose code is known. */
  labelled: number;
  unknown: number;
  values: ValueCount[];
}
export interface Summary { min: number; max: number; mean: number; median: number }
export interface PartStats {
  frames: number; labelledFrames: number; sequences: number; persons: number;
  peoplePerFrame: Summary & { histogram: Record<string, number> };
  boxWidth: Summary; boxHeight: Summary;
  /** Box heights bucketed: <32, 32–63, 64–127, 128–255, ≥256 pixels. */
  boxHeightHistogram: Record<string, number>;
  queries: { complete: number; partial: number; absent: number; meanMatches: number; meanStatedAttributes: number };
  attributes: AttributeHistogram[];
}
export interface DatasetStats {
  source: string;
  overall: PartStats;
  splits: Record<SplitName, PartStats>;
  /** Attribute values under 1% of their attribute's labelled people (overall), e.g. "Hair=red". */
  rareValues: string[];
}

/** Share under which a value counts as rare (the synthetic set's target: every value ≥ 1%). */
export const RARE_SHARE = 0.01;

function summary(values: number[]): Summary {
  if (values.length === 0) return { min: 0, max: 0, mean: 0, median: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { min: sorted[0]!, max: sorted[sorted.length - 1]!, mean: values.reduce((s, v) => s + v, 0) / values.length, median };
}

const HEIGHT_BUCKETS: Array<[string, number]> = [['<32', 32], ['32-63', 64], ['64-127', 128], ['128-255', 256], ['>=256', Infinity]];

export function partStats(frames: readonly FrameAnnotation[]): PartStats {
  const counts = ATTRIBUTES.map((a) => ({ unknown: 0, values: new Array<number>(a.values.length).fill(0) }));
  const perFrame: number[] = [];
  const widths: number[] = [];
  const heights: number[] = [];
  const heightHistogram = Object.fromEntries(HEIGHT_BUCKETS.map(([k]) => [k, 0]));
  const queries = { complete: 0, partial: 0, absent: 0, meanMatches: 0, meanStatedAttributes: 0 };
  let matches = 0;
  let stated = 0;
  const sequences = new Set<string>();
  let labelledFrames = 0;
  for (const f of frames) {
    sequences.add(f.sequence);
    if (!f.labelled) continue;
    labelledFrames++;
    perFrame.push(f.persons.length);
    for (const p of f.persons) {
      const w = p.box[2] - p.box[0];
      const h = p.box[3] - p.box[1];
      widths.push(w);
      heights.push(h);
      heightHistogram[HEIGHT_BUCKETS.find(([, hi]) => h < hi)![0]]!++;
      ATTRIBUTES.forEach((a, i) => {
        const code = p.attributes[a.key] ?? UNKNOWN;
        if (code === UNKNOWN) counts[i]!.unknown++;
        else counts[i]!.values[code] = (counts[i]!.values[code] ?? 0) + 1;
      });
    }
    for (const q of f.queries) {
      queries[q.kind]++;
      matches += q.matches.length;
      stated += Object.values(q.attributes).filter((c) => c !== undefined && c !== UNKNOWN).length;
    }
  }
  const nQueries = queries.complete + queries.partial + queries.absent;
  queries.meanMatches = nQueries ? matches / nQueries : 0;
  queries.meanStatedAttributes = nQueries ? stated / nQueries : 0;
  const ppfHistogram: Record<string, number> = {};
  for (const n of perFrame) ppfHistogram[String(n)] = (ppfHistogram[String(n)] ?? 0) + 1;
  return {
    frames: frames.length, labelledFrames, sequences: sequences.size, persons: widths.length,
    peoplePerFrame: { ...summary(perFrame), histogram: ppfHistogram },
    boxWidth: summary(widths), boxHeight: summary(heights), boxHeightHistogram: heightHistogram,
    queries,
    attributes: ATTRIBUTES.map((a, i) => {
      const c = counts[i]!;
      const labelled = c.values.reduce((s, n) => s + n, 0);
      return {
        key: a.key, tag: a.tag, labelled, unknown: c.unknown,
        values: a.values.map((value, code) => ({ code, value, count: c.values[code]!, share: labelled ? c.values[code]! / labelled : 0 })),
      };
    }),
  };
}

export function datasetStats(dataset: Dataset): DatasetStats {
  const splitOf = new Map<string, SplitName>();
  for (const name of ['train', 'val', 'test'] as const) for (const s of dataset.manifest.splits[name]) splitOf.set(s, name);
  const bySplit: Record<SplitName, FrameAnnotation[]> = { train: [], val: [], test: [] };
  for (const f of dataset.frames) {
    const s = splitOf.get(f.sequence);
    if (s) bySplit[s].push(f);
  }
  const overall = partStats(dataset.frames);
  const rareValues = overall.attributes.flatMap((a) =>
    a.labelled === 0 ? [] : a.values.filter((v) => v.share < RARE_SHARE).map((v) => `${a.tag}=${v.value}`));
  return {
    source: dataset.manifest.source,
    overall,
    rareValues,
    splits: { train: partStats(bySplit.train), val: partStats(bySplit.val), test: partStats(bySplit.test) },
  };
}

/** Human-readable report: one block per attribute, values with counts and shares. */
export function formatStats(stats: DatasetStats): string {
  const o = stats.overall;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const lines = [
    `source ${stats.source}: ${o.frames} frames (${o.labelledFrames} labelled), ${o.sequences} sequences, ${o.persons} people`,
    ...(['train', 'val', 'test'] as const).map((s) => `  ${s.padEnd(5)} ${stats.splits[s].frames} frames, ${stats.splits[s].sequences} sequences, ${stats.splits[s].persons} people`),
    `people per frame: min ${o.peoplePerFrame.min}, median ${o.peoplePerFrame.median}, mean ${o.peoplePerFrame.mean.toFixed(2)}, max ${o.peoplePerFrame.max}`,
    `box height px: min ${o.boxHeight.min.toFixed(1)}, median ${o.boxHeight.median.toFixed(1)}, max ${o.boxHeight.max.toFixed(1)}; ` +
      Object.entries(o.boxHeightHistogram).map(([k, v]) => `${k}: ${v}`).join(', '),
    `box width px: min ${o.boxWidth.min.toFixed(1)}, median ${o.boxWidth.median.toFixed(1)}, max ${o.boxWidth.max.toFixed(1)}`,
    `queries: ${o.queries.complete} complete, ${o.queries.partial} partial, ${o.queries.absent} absent; ` +
      `${o.queries.meanMatches.toFixed(2)} matches and ${o.queries.meanStatedAttributes.toFixed(1)} attributes per query`,
  ];
  for (const a of o.attributes) {
    lines.push(`${a.tag} (${a.labelled} labelled, ${a.unknown} unknown): ` + a.values.map((v) => `${v.value} ${v.count} (${pct(v.share)})`).join(', '));
  }
  lines.push(stats.rareValues.length
    ? `values under ${RARE_SHARE * 100}% of their attribute's labelled people: ${stats.rareValues.join(', ')}`
    : `every value of every labelled attribute is at least ${RARE_SHARE * 100}% of its labelled people`);
  return lines.join('\n');
}
