/** Free-text case notes by the investigator. */
import { InputError } from '../errors';
import { appendAudit } from './audit';
import { requireOpenCase } from './cases';
import { nowIso, write, type Store } from './store';

export const MAX_NOTE_TEXT = 20_000;

export interface NoteRecord { id: number; caseId: number; text: string; author: string; createdAt: string }
interface NoteRow { id: number; case_id: number; text: string; author: string; created_at: string }

export function addNote(store: Store, caseId: number, text: string): NoteRecord {
  if (typeof text !== 'string' || text.trim().length === 0) throw new InputError('note is empty', { field: 'text' });
  if (text.length > MAX_NOTE_TEXT) throw new InputError(`note is ${text.length} characters; the limit is ${MAX_NOTE_TEXT}`, { field: 'text' });
  return write(store, () => {
    requireOpenCase(store, caseId);
    const createdAt = nowIso();
    const id = Number(store.db.prepare('INSERT INTO notes (case_id, text, author, created_at) VALUES (?, ?, ?, ?)').run(caseId, text, store.actor, createdAt).lastInsertRowid);
    appendAudit(store.db, store.actor, 'note.added', { caseId, noteId: id, text }, createdAt);
    return { id, caseId, text, author: store.actor, createdAt };
  });
}

export function listNotes(store: Store, caseId: number): NoteRecord[] {
  return (store.db.prepare('SELECT * FROM notes WHERE case_id = ? ORDER BY id').all(caseId) as NoteRow[])
    .map((r) => ({ id: r.id, caseId: r.case_id, text: r.text, author: r.author, createdAt: r.created_at }));
}
