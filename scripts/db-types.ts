// npm run db:types — regenerate src/lib/server/db/types.generated.ts from the migrated schema.
// With --verify, fail when the committed file no longer matches the migrations.
import { spawnSync } from 'node:child_process';
import { launchDatabase } from '../src/lib/server/db/launch';
import { codegenArguments, generatedTypes } from './lib/codegen';
import { runCommand } from './lib/run';

await runCommand(async () => {
	const database = await launchDatabase(process.env);
	try {
		const verify = process.argv.includes('--verify');
		const runs = [codegenArguments(database.ownerUrl, verify)];
		if (database.portalZoneOwnerUrl)
			runs.push(codegenArguments(database.portalZoneOwnerUrl, verify, generatedTypes.portalZone));
		for (const args of runs) {
			const result = spawnSync('npx', args, { stdio: 'inherit' });
			if (result.status !== 0) process.exitCode = result.status ?? 1;
		}
	} finally {
		await database.stop();
	}
});
