/** Reviewer decisions on sightings. History is kept; the latest decision per sighting counts. */
import { InputError } from '../errors';
import { appendAudit } from './audit';
import { requireOpenCase } from './cases';
import { getSearch, getSighting } from './searches';
import { nowIso, write, type Store } from './store';

export const DECISIONS = ['confirm', 'reject', 'unsure'] as const;
export type Decision = (typeof DECISIONS)[number];
export const MAX_NOTE = 10_000;

export interface DecisionRecord { id: number; sightingId: number; decision: Decision; note: string; reviewer: string; decidedAt: string }
interface DecisionRow { id: number; sighting_id: number; decision: Decision; note: string; reviewer: string; decided_at: string }
const toDecision = (r: DecisionRow): DecisionRecord => ({ id: r.id, sightingId: r.sighting_id, decision: r.decision, note: r.note, reviewer: r.reviewer, decidedAt: r.decided_at });

export function recordDecision(store: Store, sightingId: number, decision: Decision, note = ''): DecisionRecord {
  if (!(DECISIONS as readonly string[]).includes(decision)) throw new InputError(`decision must be one of ${DECISIONS.join(', ')}; got "${String(decision)}"`, { field: 'decision' });
  if (typeof note !== 'string' || note.length > MAX_NOTE) throw new InputError(`decision note must be text of at most ${MAX_NOTE} characters`, { field: 'note' });
  return write(store, () => {
    const sighting = getSighting(store, sightingId);
    const search = getSearch(store, sighting.searchId);
    requireOpenCase(store, search.caseId);
    const decidedAt = nowIso();
    const id = Number(store.db.prepare('INSERT INTO decisions (sighting_id, decision, note, reviewer, decided_at) VALUES (?, ?, ?, ?, ?)')
      .run(sightingId, decision, note, store.actor, decidedAt).lastInsertRowid);
    appendAudit(store.db, store.actor, 'decision.recorded', { caseId: search.caseId, searchId: search.id, sightingId, decisionId: id, decision, note }, decidedAt);
    return { id, sightingId, decision, note, reviewer: store.actor, decidedAt };
  });
}

export function listDecisions(store: Store, sightingId: number): DecisionRecord[] {
  return (store.db.prepare('SELECT * FROM decisions WHERE sighting_id = ? ORDER BY id').all(sightingId) as DecisionRow[]).map(toDecision);
}

/** Latest decision per sighting for every sighting of a case. */
export function latestDecisionsForCase(store: Store, caseId: number): Map<number, DecisionRecord> {
  const rows = store.db.prepare(`SELECT d.* FROM decisions d
    JOIN sightings s ON s.id = d.sighting_id JOIN searches q ON q.id = s.search_id
    WHERE q.case_id = ? ORDER BY d.id`).all(caseId) as DecisionRow[];
  const latest = new Map<number, DecisionRecord>();
  for (const r of rows) latest.set(r.sighting_id, toDecision(r));
  return latest;
}

export function decisionHistoryForCase(store: Store, caseId: number): DecisionRecord[] {
  return (store.db.prepare(`SELECT d.* FROM decisions d
    JOIN sightings s ON s.id = d.sighting_id JOIN searches q ON q.id = s.search_id
    WHERE q.case_id = ? ORDER BY d.id`).all(caseId) as DecisionRow[]).map(toDecision);
}
