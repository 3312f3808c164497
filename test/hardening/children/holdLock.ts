/**
 * Holds an exclusive lock on a case database until its stdin closes (another process "in the
 * middle of a write"), for faultsEnv.test.ts:  node --import tsx holdLock.ts DB_FILE
 */
import { openDatabase } from '../../../core/store/sqlite';

const db = openDatabase(process.argv[2]!);
db.exec('BEGIN EXCLUSIVE');
db.prepare("INSERT INTO notes (case_id, text, author, created_at) SELECT id, 'uncommitted by the lock holder', 'holder', '2026-01-01' FROM cases LIMIT 1").run();
process.stdout.write('locked\n');
process.stdin.resume();
process.stdin.on('end', () => {
  db.exec('ROLLBACK');
  db.close();
  process.exit(0);
});
