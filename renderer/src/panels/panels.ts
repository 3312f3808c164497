/** The workstation's sections, in navigation order. */
export type PanelId = 'cases' | 'evidence' | 'search' | 'results' | 'player' | 'training' | 'reports' | 'about';

export interface PanelDef {
  id: PanelId;
  label: string;
  /** One line shown under the title. */
  summary: string;
  /** True when the section works inside an open case. */
  needsCase?: boolean;
}

export const PANELS: PanelDef[] = [
  { id: 'cases', label: 'Cases', summary: 'Incidents holding evidence, searches, decisions, notes and exports.' },
  { id: 'evidence', label: 'Evidence', summary: 'Footage added to the case, pinned by SHA-256 and indexed once.', needsCase: true },
  { id: 'search', label: 'Search', summary: 'Describe a person by the 16 soft-biometric attributes or in free text.', needsCase: true },
  { id: 'results', label: 'Results', summary: 'Ranked sightings with boxes, scores and a timeline per video. Keys: ← → ↑ ↓ move, Enter opens, C confirm, R reject, U unsure.', needsCase: true },
  { id: 'player', label: 'Player', summary: 'Play a sighting from its start with its box, confidence heat map and attention maps; step frame by frame.', needsCase: true },
  { id: 'training', label: 'Training', summary: 'Train or fine-tune the retrieval model, watch its losses, evaluate it.' },
  { id: 'reports', label: 'Reports', summary: 'Match reports bundling query, model hash, thresholds, source hashes and decisions.', needsCase: true },
];

export const ABOUT_PANEL: PanelDef = { id: 'about', label: 'About this workstation', summary: 'Versions, compute backends, video tools and storage of this machine.' };
