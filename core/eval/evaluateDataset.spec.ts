import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetWriter } from '../dataset/writer';
import { readDataset } from '../dataset/reader';
import { evaluateDataset } from './evaluateDataset';
import { formatEvalMarkdown } from './markdown';
import { frame, query } from './testFrames';
import type { EvalFrame, EvalQuery, Evaluator, QueryPrediction } from './types';

const root = mkdtempSync(join(tmpdir(), 'fastpr-eval-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A deterministic engine that answers from a fixed table: box of person "p" shifted by `shift`. */
class TableEngine implements Evaluator {
  readonly name = 'table engine';
  seen: EvalQuery[] = [];
  constructor(private readonly answers: Record<string, { shift: number; absent: boolean } | undefined>) {}
  async predict(frames: EvalFrame[], queries: EvalQuery[]): Promise<QueryPrediction[]> {
    this.seen.push(...queries);
    const ids = new Set(frames.map((f) => f.id));
    return queries.filter((q) => ids.has(q.frameId) && this.answers[q.frameId]).map((q) => {
      const a = this.answers[q.frameId]!;
      return { frameId: q.frameId, queryIndex: q.queryIndex, absent: a.absent, candidates: [{ box: [a.shift, 0, 10 + a.shift, 10], score: 0.9 }] };
    });
  }
}

describe('evaluateDataset', () => {
  it('scores only the split\'s labelled frames, hides ground truth from the engine and reports both protocols', async () => {
    const dir = join(root, 'ds');
    const w = DatasetWriter.create(dir, { source: 'test', generator: { name: 't', version: '0', parameters: {} } });
    const truth: [number, number, number, number] = [0, 0, 10, 10];
    const rows = [
      frame('t1', 'test-a', [['p', truth]], [query(['p'], 'p', { gender: 1 })]),
      frame('t2', 'test-a', [['p', truth]], [query(['p'], 'p', { gender: 1 })]),
      frame('t3', 'test-b', [['p', truth]], [query([], undefined, { gender: 0 })]),
      frame('t4', 'test-b', [['p', truth]], [query(['p'], 'p')], false),
      frame('r1', 'train-a', [['p', truth]], [query(['p'], 'p')]),
    ];
    for (const r of rows) w.addFrame(r);
    w.finish({ train: ['train-a'], val: [], test: ['test-a', 'test-b'] });
    const engine = new TableEngine({ t1: { shift: 0, absent: false }, t2: { shift: 5, absent: false }, t3: { shift: 0, absent: false } });
    const report = await evaluateDataset(readDataset(dir), 'test', engine, { batchSize: 2 });

    expect(engine.seen.map((q) => q.frameId).sort()).toEqual(['t1', 't2', 't3']);
    expect(engine.seen.every((q) => !('matches' in q) && !('target' in q))).toBe(true);
    expect(report.counts).toEqual({ frames: 3, labelledFrames: 3, queries: 3, presentQueries: 2, absentQueries: 1, missingPredictions: 0 });
    // t1 exact, t2 IoU 1/3: R@1 at 0.4 = 50 %
    expect(report.paper!.anyMatch.find((c) => c.n === 1 && c.iou === 0.4)!.recall).toBe(0.5);
    expect(report.avss!.sequences).toEqual([{ sequence: 'test-a', items: 2, meanIoU: (1 + 1 / 3) / 2 }]);
    expect(report.absent.falsePositiveRate).toBe(1);

    const md = formatEvalMarkdown(report);
    expect(md).toContain('| table engine — any matching person | 50.00 | 50.00 | 50.00 | 50.00 | 50.00 | 50.00 |');
    expect(md).toContain('Average IoU');
    expect(md).toContain('| Gender | 2 | 50.00 |');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('reports only the requested protocol', async () => {
    const dir = join(root, 'ds2');
    const w = DatasetWriter.create(dir, { source: 'test', generator: { name: 't', version: '0', parameters: {} } });
    w.addFrame(frame('t1', 'test-a', [['p', [0, 0, 10, 10]]], [query(['p'], 'p')]));
    w.finish({ train: [], val: [], test: ['test-a'] });
    const report = await evaluateDataset(readDataset(dir), 'test', new TableEngine({}), { protocol: 'avss' });
    expect(report.paper).toBeUndefined();
    expect(report.avss!.meanIoU).toBe(0);
    expect(report.counts.missingPredictions).toBe(1);
    expect(formatEvalMarkdown(report)).toContain('without a prediction');
  });
});
