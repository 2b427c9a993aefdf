// npm run audit:checkpoint [-- --municipality CODE]  write a signed checkpoint of the chains now
// npm run audit:checkpoint -- --public-key print the public key an auditor verifies with
// The back office writes one every ten minutes by itself; this is for a first checkpoint, a
// deployment that prefers cron, and for handing the auditor AUDIT_CHECKPOINT_PUBLIC_KEY.
// Exit code 0: written; 2: a chain did not verify, nothing written for it; 1: could not run.
import { parseArgs } from 'node:util';
import { writeCheckpoints } from '../src/lib/server/audit/checkpoint';
import { ed25519Signer, publicKeyText } from '../src/lib/server/crypto/ed25519';
import { parseKeySpec } from '../src/lib/server/config';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({
		options: { 'public-key': { type: 'boolean' }, municipality: { type: 'string' } }
	});
	const database = await launchDatabase(process.env, { migrate: false, attach: true });
	try {
		if (!database.auditCheckpointKey || !database.auditCheckpointDir)
			throw new UsageError('AUDIT_CHECKPOINT_KEY and AUDIT_CHECKPOINT_DIR must be set');
		const signer = ed25519Signer(parseKeySpec(database.auditCheckpointKey));
		if (values['public-key']) {
			console.log(`AUDIT_CHECKPOINT_PUBLIC_KEY=${publicKeyText(signer)}`);
			return;
		}
		const db = createDatabase(database.ownerUrl, { max: 1 });
		try {
			const { written, refused } = await writeCheckpoints(db, {
				dir: database.auditCheckpointDir,
				signer,
				now: new Date(),
				municipalityCode: values.municipality
			});
			for (const { municipalityCode, seq, file } of written)
				console.log(`${municipalityCode}: checkpoint at seq ${seq} → ${file}`);
			for (const { municipalityCode, seq, problem } of refused)
				console.error(
					`REFUSED: municipality ${municipalityCode} (seq ${seq ?? '-'}): ${problem.replace('_', ' ')}; no checkpoint written`
				);
			if (written.length + refused.length === 0)
				console.log('no audit entries yet: nothing to checkpoint');
			if (refused.length > 0) process.exitCode = 2;
		} finally {
			await db.destroy();
		}
	} finally {
		await database.stop();
	}
});
