// Starts the embedded PostgreSQL on the data directory given, writes a row, says "ready" and
// waits to be killed: the integration test kills it with SIGKILL, as an app can be (issue 24).
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/lib/server/db/embedded';

const server = await startEmbeddedPostgres({ dataDir: process.argv[2]!, password: 'p' });
const client = new pg.Client({ connectionString: server.superuserUrl() });
await client.connect();
await client.query("CREATE TABLE kept (note text); INSERT INTO kept VALUES ('before the kill')");
await client.end();
process.stdout.write('ready\n');
setInterval(() => {}, 60_000);
