/**
 * Child process for store-durability.test.ts: records decisions in a tight loop and prints
 * "committed <decisionId>" only after each transaction has committed, until it is SIGKILLed.
 */
import { writeSync } from 'node:fs';
import { recordDecision } from '../core/store/decisions';
import { addNote } from '../core/store/notes';
import { openStore } from '../core/store/store';

const [dataDir, caseIdArg, sightingIdsArg] = process.argv.slice(2);
if (!dataDir || !caseIdArg || !sightingIdsArg) throw new Error('usage: store-durability.child.ts DATA_DIR CASE_ID SIGHTING_IDS');
const caseId = Number(caseIdArg);
const sightings = sightingIdsArg.split(',').map(Number);
const store = openStore(dataDir, { actor: `child-${process.pid}` });
const kinds = ['confirm', 'reject', 'unsure'] as const;
writeSync(1, 'ready\n');
for (let i = 0; ; i++) {
  const d = recordDecision(store, sightings[i % sightings.length]!, kinds[i % 3]!, `loop ${i} ✓ «note»`);
  // Synchronous write: the parent sees this line only for a decision that is already durable.
  writeSync(1, `committed ${d.id}\n`);
  if (i % 7 === 0) writeSync(1, `note ${addNote(store, caseId, `note ${i}`).id}\n`);
}
