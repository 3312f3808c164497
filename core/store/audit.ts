/**
 * The append-only, hash-chained audit log.
 *
 * entry.hash = SHA-256(prevHash || canonicalJson({seq, time, actor, action, payload, prevHash})).
 * The first entry's prevHash is GENESIS_HASH. appendAudit must run inside the caller's write
 * transaction, so an action and its audit entry commit or vanish together.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonicalJson';
import type { SqliteDatabase } from './sqlite';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  payload: unknown;
  prevHash: string;
  hash: string;
}

interface AuditRow { seq: number; time: string; actor: string; action: string; payload: string; prev_hash: string; hash: string }

export function auditHash(e: Omit<AuditEntry, 'hash'>): string {
  const body = canonicalJson({ seq: e.seq, time: e.time, actor: e.actor, action: e.action, payload: e.payload, prevHash: e.prevHash });
  return createHash('sha256').update(e.prevHash).update(body).digest('hex');
}

export function appendAudit(db: SqliteDatabase, actor: string, action: string, payload: unknown, time = new Date().toISOString()): AuditEntry {
  if (!db.inTransaction) throw new Error(`appendAudit(${action}) must run inside the action's transaction`);
  const head = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  // Round-trip through canonical JSON so what is hashed is exactly what is stored and re-read.
  const stored = canonicalJson(payload);
  const entry = { seq, time, actor, action, payload: JSON.parse(stored) as unknown, prevHash };
  const hash = auditHash(entry);
  db.prepare('INSERT INTO audit_log (seq, time, actor, action, payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(seq, time, actor, action, stored, prevHash, hash);
  return { ...entry, hash };
}

export function listAudit(db: SqliteDatabase, options: { afterSeq?: number; limit?: number } = {}): AuditEntry[] {
  const rows = db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
    .all(options.afterSeq ?? 0, options.limit ?? -1) as AuditRow[];
  return rows.map((r) => ({
    seq: r.seq, time: r.time, actor: r.actor, action: r.action, payload: safeParse(r.payload), prevHash: r.prev_hash, hash: r.hash,
  }));
}

function safeParse(text: string): unknown {
  try { return JSON.parse(text); } catch { return text; }
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  headSeq: number;
  headHash: string;
  /** The first broken link, when ok is false. */
  brokenAt?: { seq: number; reason: string };
}

/** A (seq, hash) pair published elsewhere, e.g. the audit head printed in an exported report. */
export interface AuditAnchor { seq: number; hash: string }

/**
 * Walks the whole chain in order and reports the first entry that does not verify.
 * A chain rewritten from some entry onwards (every hash recomputed) is internally consistent;
 * anchors taken from earlier reports catch that: entry `seq` must still have exactly `hash`.
 */
export function verifyAuditChain(db: SqliteDatabase, options: { anchors?: readonly AuditAnchor[] } = {}): AuditVerification {
  const anchors = new Map((options.anchors ?? []).map((a) => [a.seq, a.hash.toLowerCase()]));
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  const fail = (seq: number, reason: string): AuditVerification =>
    ({ ok: false, entries, headSeq: expectedSeq - 1, headHash: prevHash, brokenAt: { seq, reason } });
  for (const r of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (r.seq !== expectedSeq) {
      return fail(expectedSeq, r.seq > expectedSeq
        ? `entry ${expectedSeq} is missing (next entry present is ${r.seq})`
        : `unexpected sequence number ${r.seq}`);
    }
    if (r.prev_hash !== prevHash) {
      return fail(r.seq, `prevHash ${r.prev_hash} does not match the hash of entry ${r.seq - 1} (${prevHash})`);
    }
    let payload: unknown;
    try { payload = JSON.parse(r.payload); } catch {
      return fail(r.seq, 'payload is not valid JSON');
    }
    const recomputed = auditHash({ seq: r.seq, time: r.time, actor: r.actor, action: r.action, payload, prevHash: r.prev_hash });
    if (recomputed !== r.hash) {
      return fail(r.seq, `stored hash ${r.hash} does not match the entry's content (recomputed ${recomputed}); the entry was altered`);
    }
    const anchored = anchors.get(r.seq);
    if (anchored !== undefined && anchored !== r.hash) {
      return fail(r.seq, `hash ${r.hash} differs from the anchor ${anchored} published for entry ${r.seq}; the log was rewritten from here or earlier`);
    }
    prevHash = r.hash;
    expectedSeq++;
    entries++;
  }
  const missing = [...anchors.keys()].filter((seq) => seq >= expectedSeq).sort((a, b) => a - b)[0];
  if (missing !== undefined) return fail(missing, `anchored entry ${missing} no longer exists (the log ends at ${expectedSeq - 1}); entries were removed`);
  return { ok: true, entries, headSeq: expectedSeq - 1, headHash: prevHash };
}
