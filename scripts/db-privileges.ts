// npm run db:privileges — print what each app role may do to every object of the migrated
// embedded database, in the allow-list's format; `-- --write` replaces docs/privileges.tsv.
// Review the difference before committing it: each line is a decision (README, "Least privilege").
import { writeFileSync } from 'node:fs';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { privilegeHeader, privilegeLines } from '../src/lib/server/db/privileges';
import { runCommand } from './lib/run';

export const allowListPath = 'docs/privileges.tsv';

await runCommand(async () => {
	const database = await launchDatabase(process.env);
	const owner = createDatabase(database.ownerUrl, { max: 1 });
	try {
		const text = [privilegeHeader, ...(await privilegeLines(owner))].join('\n') + '\n';
		if (process.argv.includes('--write')) writeFileSync(allowListPath, text);
		else process.stdout.write(text);
	} finally {
		await owner.destroy();
		await database.stop();
	}
});
