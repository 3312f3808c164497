/** The workstation's sections, in navigation order. */
export type PanelId = 'cases' | 'evidence' | 'search' | 'results' | 'training' | 'reports' | 'about';

export interface PanelDef {
  id: PanelId;
  label: string;
  /** One line shown under the title. */
  summary: string;
  /** Issue that delivers it (placeholders only). */
  comingWith?: string;
  /** What it will hold, for the placeholder. */
  plans?: string[];
}

export const PANELS: PanelDef[] = [
  {
    id: 'cases', label: 'Cases', summary: 'Incidents holding evidence, searches, bookmarks and notes.',
    comingWith: 'issue 7',
    plans: ['Open or create a case', 'Audit trail of searches and exports', 'Evidence locks and notes'],
  },
  {
    id: 'evidence', label: 'Evidence', summary: 'Recorded footage added to a case, hashed and indexed once.',
    comingWith: 'issues 6 and 7',
    plans: ['Drop in video files from several cameras', 'SHA-256 receipts of every source', 'One-time indexing with progress and ETA'],
  },
  {
    id: 'search', label: 'Search', summary: 'Describe a person by soft-biometric attributes or free text.',
    comingWith: 'issues 6 and 7',
    plans: ['Clothing colours and types, gender, age, height, build, accessories', 'Free-text queries such as "man in a red jacket with a backpack"', 'Search across all indexed footage in seconds'],
  },
  {
    id: 'results', label: 'Results', summary: 'Ranked sightings with boxes, confidences and a per-camera timeline.',
    comingWith: 'issue 7',
    plans: ['Thumbnails with the person boxed', 'Per-attribute confidence explaining each hit', 'Confirm / reject, recorded for the report'],
  },
  {
    id: 'training', label: 'Training', summary: 'Train or fine-tune the retrieval model on your own annotations.',
    comingWith: 'issues 4 and 7',
    plans: ['Loss curves and progress', 'Evaluation on held-out annotations', 'Model cards for every trained model'],
  },
  {
    id: 'reports', label: 'Reports', summary: 'Match reports bundling query, model hash, source hashes and decisions.',
    comingWith: 'issue 7',
    plans: ['PDF report of selected sightings', 'AVSS challenge-format export for re-scoring', 'Hashes of every exported file'],
  },
];

export const ABOUT_PANEL: PanelDef = { id: 'about', label: 'About this workstation', summary: 'Versions, compute backends, video tools and storage of this machine.' };
