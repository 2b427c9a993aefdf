// npm run db:types — regenerate src/lib/server/db/types.generated.ts from the migrated schema.
// With --verify, fail when the committed file no longer matches the migrations.
import { spawnSync } from 'node:child_process';
import { launchDatabase } from '../src/lib/server/db/launch';
import { codegenArguments } from './lib/codegen';
import { runCommand } from './lib/run';

await runCommand(async () => {
	const database = await launchDatabase(process.env);
	try {
		const result = spawnSync(
			'npx',
			codegenArguments(database.ownerUrl, process.argv.includes('--verify')),
			{
				stdio: 'inherit'
			}
		);
		if (result.status !== 0) process.exitCode = result.status ?? 1;
	} finally {
		await database.stop();
	}
});
