/**
 * Where the investigator is: the open case (and its detail), the search being reviewed, the
 * sighting in the player, the active model. One shared rune-based object; screens read it and call
 * its methods, which go through the API client.
 */
import type { ActiveModel, CaseDetail, SearchRunResult } from '../../../core/api/contract';
import { api } from '../api/client';
import { errorText } from '../lib/format';
import type { PanelId } from '../panels/panels';

export interface SearchDraft {
  text: string;
  codes: Record<string, number>;
  scope: 'all' | number;
  /** Override the model's thresholds with the values below. */
  custom: boolean;
  threshold: number;
  /** Hits down to extendShare × threshold extend a sighting that reaches the threshold. */
  extendShare: number;
  linkIou: number;
  /** Box sizes per second a linked box may move. */
  linkSpeed: number;
  maxGapS: number;
  maxSightings: number;
  /** Score every cell with the exact head (no prefilter): slower, but an absence then rests on all of the footage. */
  exhaustive: boolean;
}

class AppState {
  panel = $state<PanelId>('cases');
  caseId = $state<number | null>(null);
  detail = $state<CaseDetail | null>(null);
  caseError = $state<string | null>(null);
  /** The search shown in Results. */
  searchId = $state<number | null>(null);
  /** The latest search.run answer (its timing and not-indexed list are not stored elsewhere). */
  lastRun = $state<SearchRunResult | null>(null);
  /** The sighting in the Player, and the Results order for next/previous. */
  sightingId = $state<number | null>(null);
  sightingOrder = $state<number[]>([]);
  model = $state<ActiveModel | null>(null);
  /** The search being composed: kept while the investigator looks at other screens. */
  draft = $state<SearchDraft>({ text: '', codes: {}, scope: 'all', custom: false, threshold: 0.5, extendShare: 0.5, linkIou: 0.2, linkSpeed: 2.5, maxGapS: 1, maxSightings: 200, exhaustive: false });
  modelError = $state<string | null>(null);
  /** File › Add videos… was chosen (desktop menu): the Evidence screen opens its file dialog once. */
  pendingAddVideos = $state(false);

  go(panel: PanelId): void {
    this.panel = panel;
    // A model can appear (training finished, folder installed) at any time: recheck where it matters.
    if (panel === 'evidence' || panel === 'search' || panel === 'training') void this.refreshModel();
  }

  async openCase(caseId: number, panel: PanelId = 'evidence'): Promise<void> {
    if (caseId !== this.caseId) {
      this.searchId = null;
      this.lastRun = null;
      this.sightingId = null;
      this.sightingOrder = [];
      this.draft.scope = 'all';
    }
    this.caseId = caseId;
    await this.refreshCase();
    if (this.detail && this.searchId === null) this.searchId = this.detail.searches.at(-1)?.id ?? null;
    this.panel = panel;
  }

  closeView(): void {
    this.caseId = null;
    this.detail = null;
    this.searchId = null;
    this.lastRun = null;
    this.sightingId = null;
    this.panel = 'cases';
  }

  async refreshCase(): Promise<void> {
    if (this.caseId === null) return;
    try {
      this.detail = await api['cases.open']({ caseId: this.caseId });
      this.caseError = null;
    } catch (err) {
      this.caseError = errorText(err);
    }
  }

  async refreshModel(): Promise<void> {
    try {
      this.model = await api['models.active']();
      this.modelError = null;
    } catch (err) {
      this.modelError = errorText(err);
    }
  }

  openSighting(id: number, order?: number[]): void {
    this.sightingId = id;
    if (order) this.sightingOrder = order;
    this.panel = 'player';
  }
}

export const app = new AppState();
