// npm run db:types — regenerate src/lib/server/db/types.generated.ts from the migrated schema.
// With --verify, fail when the committed file no longer matches the migrations.
import { spawnSync } from 'node:child_process';
import { launchDatabase } from '../src/lib/server/db/launch';
import { runCommand } from './lib/run';

export function codegenArguments(url: string, verify: boolean): string[] {
	return [
		'kysely-codegen',
		'--dialect',
		'postgres',
		'--url',
		url,
		'--out-file',
		'src/lib/server/db/types.generated.ts',
		'--date-parser',
		'string',
		'--numeric-parser',
		'string',
		'--default-schema',
		'public',
		'--exclude-pattern',
		'kysely_migration*',
		'--log-level',
		'error',
		...(verify ? ['--verify'] : [])
	];
}

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
