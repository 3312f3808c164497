/**
 * Open onnxruntime sessions kept by the service between calls (search.run, sightings.get), keyed by
 * model hash: opening a model costs more than querying a short index. Closed with the service.
 */
import { ModelError } from '../errors';
import { OnnxRetriever } from '../infer/onnxRetriever';
import { activeModel, listModels } from './models';

export class RetrieverCache {
  private readonly open = new Map<string, Promise<OnnxRetriever>>();

  constructor(private readonly dataDir: string) {}

  /** The active model's retriever (ModelError "not trained yet" when there is none). */
  async active(): Promise<{ retriever: OnnxRetriever; modelHash: string; modelDir: string }> {
    const a = activeModel(this.dataDir);
    if (!a.model?.modelHash) throw new ModelError(a.message);
    return { retriever: await this.forDir(a.model.dir, a.model.modelHash), modelHash: a.model.modelHash, modelDir: a.model.dir };
  }

  /** The retriever of the (exported) model with this hash, e.g. the one a past search used. */
  async byHash(modelHash: string): Promise<OnnxRetriever> {
    const m = listModels(this.dataDir).find((x) => x.exported && x.modelHash === modelHash);
    if (!m) throw new ModelError(`the model ${modelHash.slice(0, 12)}… that produced this search is no longer installed`);
    return this.forDir(m.dir, modelHash);
  }

  private forDir(dir: string, modelHash: string): Promise<OnnxRetriever> {
    const key = `${modelHash}:${dir}`;
    let p = this.open.get(key);
    if (!p) {
      p = OnnxRetriever.open(dir, { batchSize: 256 });
      p.catch(() => this.open.delete(key));
      this.open.set(key, p);
    }
    return p;
  }

  async close(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    for (const p of all) {
      try { await (await p).dispose(); } catch { /* failed to open: nothing to dispose */ }
    }
  }
}
