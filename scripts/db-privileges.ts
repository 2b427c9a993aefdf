// npm run db:privileges — print what each app role may do to every object of the migrated
// embedded databases, in the allow-list's format; `-- --write` replaces docs/privileges.tsv (the
// back office's database) and docs/privileges-portal-zone.tsv (the portal zone's own, issue 27).
// Review the difference before committing it: each line is a decision (README, "Least privilege").
import { writeFileSync } from 'node:fs';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { privilegeHeader, privilegeLines } from '../src/lib/server/db/privileges';
import { runCommand } from './lib/run';

const allowLists = {
	backoffice: 'docs/privileges.tsv',
	portalZone: 'docs/privileges-portal-zone.tsv'
};

await runCommand(async () => {
	const database = await launchDatabase(process.env, { portalZone: true });
	try {
		const targets: [string, string][] = [[allowLists.backoffice, database.ownerUrl]];
		if (database.portalZoneOwnerUrl)
			targets.push([allowLists.portalZone, database.portalZoneOwnerUrl]);
		for (const [file, url] of targets) {
			const owner = createDatabase(url, { max: 1 });
			try {
				const text = [privilegeHeader, ...(await privilegeLines(owner))].join('\n') + '\n';
				if (process.argv.includes('--write')) writeFileSync(file, text);
				else process.stdout.write(`# ${file}\n${text}`);
			} finally {
				await owner.destroy();
			}
		}
	} finally {
		await database.stop();
	}
});
