/** Handlers of cases.*, notes.*, decisions.record and audit.verify: thin calls into core/store. */
import { addNote, closeCase, createCase, listCases, listExports, listNotes, recordDecision, verifyAuditChain } from '../../store/index';
import { caseSearches, caseSummary, evidenceItem } from '../views';
import { listEvidence } from '../../store/index';
import type { HandlerGroup } from './types';

type K = 'cases.list' | 'cases.create' | 'cases.open' | 'cases.close' | 'cases.search' | 'notes.add' | 'notes.list' | 'decisions.record' | 'audit.verify';

export const caseHandlers: HandlerGroup<K> = {
  'cases.list': async ({ status }, ctx) => {
    const store = ctx.store();
    return listCases(store).filter((c) => status === 'all' || c.status === status).map((c) => caseSummary(store, c.id));
  },
  'cases.create': async ({ name }, ctx) => caseSummary(ctx.store(), createCase(ctx.store(), name).id),
  'cases.open': async ({ caseId }, ctx) => {
    const store = ctx.store();
    const summary = caseSummary(store, caseId);
    const modelHash = ctx.activeModelHash();
    return {
      case: summary,
      evidence: listEvidence(store, caseId).map((e) => evidenceItem(store, e, modelHash, ctx.jobs.activeJobFor(e.id))),
      searches: caseSearches(store, caseId),
      notes: listNotes(store, caseId),
      exports: listExports(store, caseId),
    };
  },
  'cases.close': async ({ caseId }, ctx) => caseSummary(ctx.store(), closeCase(ctx.store(), caseId).id),
  'cases.search': async ({ text }, ctx) => {
    const store = ctx.store();
    return listCases(store, { nameContains: text.trim() || undefined }).map((c) => caseSummary(store, c.id));
  },
  'notes.add': async ({ caseId, text }, ctx) => addNote(ctx.store(), caseId, text),
  'notes.list': async ({ caseId }, ctx) => listNotes(ctx.store(), caseId),
  'decisions.record': async ({ sightingId, decision, note }, ctx) => recordDecision(ctx.store(), sightingId, decision, note),
  'audit.verify': async ({ anchors }, ctx) => verifyAuditChain(ctx.store().db, { anchors }),
};
