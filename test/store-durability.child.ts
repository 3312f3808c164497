/**
 * Child process for store-durability.test.ts, SIGKILLed by the test at a random moment.
 *   decisions DATA_DIR CASE_ID SIGHTING_IDS  records decisions (and notes) in a loop
 *   export    DATA_DIR CASE_NAME OUT_FILE    exports the HTML report to the same path in a loop
 * A line is printed only after its transaction has committed (synchronous write to stdout).
 */
import { writeSync } from 'node:fs';
import { exportReport } from '../core/reports/exportReport';
import { recordDecision } from '../core/store/decisions';
import { addNote } from '../core/store/notes';
import { openStore } from '../core/store/store';

const [mode, dataDir, a, b] = process.argv.slice(2);
if (!mode || !dataDir || !a || !b) throw new Error('usage: store-durability.child.ts decisions|export DATA_DIR ARG ARG');
const store = openStore(dataDir, { actor: `child-${process.pid}` });
writeSync(1, 'ready\n');

if (mode === 'decisions') {
  const caseId = Number(a);
  const sightings = b.split(',').map(Number);
  const kinds = ['confirm', 'reject', 'unsure'] as const;
  for (let i = 0; ; i++) {
    const d = recordDecision(store, sightings[i % sightings.length]!, kinds[i % 3]!, `loop ${i} ✓ «note»`);
    writeSync(1, `committed ${d.id}\n`);
    if (i % 7 === 0) writeSync(1, `note ${addNote(store, caseId, `note ${i}`).id}\n`);
  }
} else {
  for (;;) {
    const { files } = await exportReport(store, { caseName: a, format: 'html', out: b, scope: 'all' });
    writeSync(1, `committed ${files[0]!.id}\n`);
  }
}
