// npm run db:psql — open psql on the embedded database as its owner (development aid); attaches to
// the server a running app started, or starts one for the session.
import { spawnSync } from 'node:child_process';
import { launchDatabase } from '../../src/lib/server/db/launch';
import { runCommand } from './run';

await runCommand(async () => {
	const database = await launchDatabase(process.env, { migrate: false, attach: true });
	try {
		const extra = process.argv.slice(2);
		const result = spawnSync('psql', [database.ownerUrl, ...extra], { stdio: 'inherit' });
		if (result.error) throw result.error;
	} finally {
		await database.stop();
	}
});
