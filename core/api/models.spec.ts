import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activeModel } from './models';

const root = mkdtempSync(join(tmpdir(), 'fastpr-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('active model', () => {
  it("carries the shipped model's caveat from model.json, and none when it has none", () => {
    const shipped = join(root, 'shipped');
    mkdirSync(shipped, { recursive: true });
    writeFileSync(join(shipped, 'onnx.json'), JSON.stringify({ modelHash: 'abc', createdAt: '2026-01-01T00:00:00Z' }));
    writeFileSync(join(shipped, 'model.json'), JSON.stringify({ backbone: 'compact', caveat: '  Experimental: review every sighting.  ' }));
    const saved = process.env.FASTPR_SHIPPED_MODEL_DIR;
    process.env.FASTPR_SHIPPED_MODEL_DIR = shipped;
    try {
      const a = activeModel(join(root, 'data'));
      expect(a.state).toBe('ready');
      expect(a.model?.caveat).toBe('Experimental: review every sighting.');
      writeFileSync(join(shipped, 'model.json'), JSON.stringify({ backbone: 'compact' }));
      expect(activeModel(join(root, 'data')).model?.caveat).toBeNull();
      // The encoder ingests use: int8 only when the listed int8 copy was made from this encoder.onnx.
      expect(activeModel(join(root, 'data')).model?.encoder).toBe('float');
      const onnx = { modelHash: 'abc', encoder: { sha256: 'e1' }, encoderInt8: { fromEncoderSha256: 'e1' } };
      writeFileSync(join(shipped, 'onnx.json'), JSON.stringify(onnx));
      expect(activeModel(join(root, 'data')).model?.encoder).toBe('int8');
      writeFileSync(join(shipped, 'onnx.json'), JSON.stringify({ ...onnx, encoder: { sha256: 'e2' } }));
      expect(activeModel(join(root, 'data')).model?.encoder).toBe('float');
    } finally {
      if (saved === undefined) delete process.env.FASTPR_SHIPPED_MODEL_DIR;
      else process.env.FASTPR_SHIPPED_MODEL_DIR = saved;
    }
  });
});
