// npm run audit:verify [-- --municipality CODE] [--checkpoints DIR] — recompute every audit
// chain and name the first broken entry; then check the chains against their signed checkpoints
// (AUDIT_CHECKPOINT_DIR or --checkpoints, verified with AUDIT_CHECKPOINT_PUBLIC_KEY, or with the
// key itself where this machine holds it), which shows a chain rewritten or cut as a whole.
// Exit code 0: intact; 2: broken; 1: could not run.
import { parseArgs } from 'node:util';
import { checkpointKeys, verifyCheckpoints } from '../src/lib/server/audit/checkpoint';
import { verifyAuditChain } from '../src/lib/server/audit/verify';
import { parseKeySpec } from '../src/lib/server/config';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({
		options: { municipality: { type: 'string' }, checkpoints: { type: 'string' } }
	});
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
				`BROKEN: municipality ${broken.municipalityCode}, ${broken.id ? `entry id ${broken.id}` : 'a payload row'} (seq ${broken.seq}): ${broken.problem.replace('_', ' ')}`
			);
			process.exitCode = 2;
			return;
		}
		console.log(
			`Audit log intact: ${report.entriesChecked} entries verified in ${seconds.toFixed(2)} s.`
		);

		const dir = values.checkpoints ?? database.auditCheckpointDir;
		if (!dir) {
			console.log('Checkpoints not checked: AUDIT_CHECKPOINT_DIR is not set.');
			return;
		}
		const keys = checkpointKeys(
			database.auditCheckpointKey ? parseKeySpec(database.auditCheckpointKey) : undefined,
			process.env.AUDIT_CHECKPOINT_PUBLIC_KEY
		);
		if (keys.size === 0) throw new UsageError('AUDIT_CHECKPOINT_PUBLIC_KEY is not set');
		const checked = await verifyCheckpoints(db, {
			dir,
			keys,
			municipalityCode: values.municipality
		});
		if (checked.firstProblem) {
			const problem = checked.firstProblem;
			console.error(
				`BROKEN: municipality ${problem.municipalityCode}, checkpoint line ${problem.line} (seq ${problem.seq ?? '-'}): ${problem.problem.replace('_', ' ')}`
			);
			process.exitCode = 2;
			return;
		}
		for (const chain of checked.chains) {
			console.log(
				`${chain.municipalityCode}: ${chain.checkpoints} signed checkpoint${chain.checkpoints === 1 ? '' : 's'}, all agree; the last at seq ${chain.lastSeq} (${chain.lastAt})`
			);
		}
		for (const code of checked.unchecked) console.log(`${code}: no checkpoint yet`);
	} finally {
		await db.destroy();
		await database.stop();
	}
});
