// Creates an embedded database cluster (PGlite's initdb) in DATA_DIR/pg and exits. Run as a child
// process by openPglite() on a first start: initdb runs a second PostgreSQL instance and keeps
// ~600 MiB that the server process would never give back to the system; a process that exits does.
import { PGlite } from '@electric-sql/pglite';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: pglite-init.mjs DATA_DIR\n');
  process.exit(2);
}
const lite = await PGlite.create({ dataDir: dir, postgresqlconf: process.argv[3] ?? '' });
await lite.close();
