/**
 * Still images of one sighting's indexed frames (frames.get → JPEG data URLs), fetched on demand
 * and kept for the player: the stills stage shows them, the attention tiles use them as backdrop.
 */
import type { SightingDetail } from '../../../core/api/contract';
import { api } from '../api/client';
import { errorText } from '../lib/format';

export class FrameStills {
  /** Index-frame number → data URL. */
  images = $state<Record<number, string>>({});
  error = $state<string | null>(null);
  readonly #inflight = new Set<number>();
  readonly #detail: SightingDetail;

  constructor(detail: SightingDetail) {
    this.#detail = detail;
  }

  /** The still of the i-th frame of the sighting, once fetched. */
  at(i: number): string | undefined {
    const f = this.#detail.frames[i];
    return f ? this.images[f.frame] : undefined;
  }

  async fetch(i: number): Promise<void> {
    const f = this.#detail.frames[i];
    if (!f || this.images[f.frame] || this.#inflight.has(f.frame)) return;
    this.#inflight.add(f.frame);
    try {
      const img = await api['frames.get']({ evidenceId: this.#detail.sighting.evidenceId, timeS: f.timeS, width: 960 });
      this.images[f.frame] = img.dataUrl;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.#inflight.delete(f.frame);
    }
  }
}
