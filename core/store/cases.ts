/** Cases: a named investigation holding evidence, searches, decisions, notes and exports. */
import { InputError, NotFoundError } from '../errors';
import { appendAudit } from './audit';
import { nowIso, write, type Store } from './store';

export interface CaseRecord {
  id: number;
  name: string;
  status: 'open' | 'closed';
  createdAt: string;
  closedAt: string | null;
}

interface CaseRow { id: number; name: string; status: 'open' | 'closed'; created_at: string; closed_at: string | null }

const toCase = (r: CaseRow): CaseRecord => ({ id: r.id, name: r.name, status: r.status, createdAt: r.created_at, closedAt: r.closed_at });

export const MAX_CASE_NAME = 200;

export function validateCaseName(raw: string): string {
  const name = raw.trim();
  if (name.length === 0) throw new InputError('case name is empty', { field: 'name' });
  if (name.length > MAX_CASE_NAME) throw new InputError(`case name is ${name.length} characters; the limit is ${MAX_CASE_NAME}`, { field: 'name' });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new InputError('case name contains control characters', { field: 'name' });
  return name;
}

export function createCase(store: Store, rawName: string): CaseRecord {
  const name = validateCaseName(rawName);
  return write(store, () => {
    if (store.db.prepare('SELECT 1 FROM cases WHERE name = ?').get(name)) {
      throw new InputError(`a case named "${name}" already exists`, { field: 'name' });
    }
    const createdAt = nowIso();
    const id = Number(store.db.prepare('INSERT INTO cases (name, status, created_at) VALUES (?, ?, ?)').run(name, 'open', createdAt).lastInsertRowid);
    appendAudit(store.db, store.actor, 'case.created', { caseId: id, name }, createdAt);
    return { id, name, status: 'open', createdAt, closedAt: null };
  });
}

export function listCases(store: Store, options: { nameContains?: string } = {}): CaseRecord[] {
  const rows = options.nameContains
    ? store.db.prepare("SELECT * FROM cases WHERE instr(lower(name), lower(?)) > 0 ORDER BY created_at, id").all(options.nameContains)
    : store.db.prepare('SELECT * FROM cases ORDER BY created_at, id').all();
  return (rows as CaseRow[]).map(toCase);
}

export function getCase(store: Store, id: number): CaseRecord {
  const row = store.db.prepare('SELECT * FROM cases WHERE id = ?').get(id) as CaseRow | undefined;
  if (!row) throw new NotFoundError(`case #${id} does not exist`);
  return toCase(row);
}

export function getCaseByName(store: Store, name: string): CaseRecord {
  const row = store.db.prepare('SELECT * FROM cases WHERE name = ?').get(name.trim()) as CaseRow | undefined;
  if (!row) throw new NotFoundError(`no case named "${name}" (see: fastpr case list)`);
  return toCase(row);
}

/** Throws unless the case exists and is open: closed cases are read-only evidence. */
export function requireOpenCase(store: Store, caseId: number): CaseRecord {
  const c = getCase(store, caseId);
  if (c.status !== 'open') throw new InputError(`case "${c.name}" is closed; it can no longer be changed`);
  return c;
}

export function closeCase(store: Store, caseId: number): CaseRecord {
  return write(store, () => {
    const c = requireOpenCase(store, caseId);
    const closedAt = nowIso();
    store.db.prepare("UPDATE cases SET status = 'closed', closed_at = ? WHERE id = ?").run(closedAt, caseId);
    appendAudit(store.db, store.actor, 'case.closed', { caseId, name: c.name }, closedAt);
    return { ...c, status: 'closed', closedAt };
  });
}
