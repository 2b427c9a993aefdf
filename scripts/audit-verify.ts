// npm run audit:verify [-- --municipality CODE] — recompute every audit chain and name the first
// broken entry. Exit code 0: intact; 2: broken; 1: could not run.
import { parseArgs } from 'node:util';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { verifyAuditChain } from '../src/lib/server/audit/verify';
import { runCommand } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({ options: { municipality: { type: 'string' } } });
	const database = await launchDatabase(process.env, { migrate: false, attach: true });
	const db = createDatabase(database.ownerUrl, { max: 1 });
	try {
		const started = performance.now();
		const report = await verifyAuditChain(db, { municipalityCode: values.municipality });
		const seconds = (performance.now() - started) / 1000;
		for (const chain of report.chains) {
			console.log(
				`${chain.municipalityCode}: ${chain.entries} entries intact, head seq ${chain.headSeq} ${chain.headHash}`
			);
		}
		if (report.firstBreak) {
			const broken = report.firstBreak;
			console.error(
				`BROKEN: municipality ${broken.municipalityCode}, entry id ${broken.id} (seq ${broken.seq}): ${broken.problem.replace('_', ' ')}`
			);
			process.exitCode = 2;
		} else {
			console.log(
				`Audit log intact: ${report.entriesChecked} entries verified in ${seconds.toFixed(2)} s.`
			);
		}
	} finally {
		await db.destroy();
		await database.stop();
	}
});
