/** `npm run migrate`: applies pending migrations to the configured database and exits. */
import { loadConfig } from '../config.ts';
import { openDatabase } from './index.ts';
import { migrate } from './migrate.ts';

const config = loadConfig(process.env);
const db = await openDatabase(config);
try {
  const result = await migrate(db);
  console.log(`migrations on ${db.kind}: applied [${result.applied.join(', ')}], already there [${result.skipped.join(', ')}]`);
} finally {
  await db.close();
}
