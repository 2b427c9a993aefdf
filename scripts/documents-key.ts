// npm run documents:key -- --rotate     create a signing key and make it the one that signs
// npm run documents:key                 list the keys (the retired ones stay published)
// The municipality's ES256 keys for SMART Health Cards on certificates. The private key is sealed
// with DOCUMENT_KEY (the embedded demo keeps one in .data/secrets.json); the public keys are
// served at /.well-known/jwks.json. Works while the app is running on the embedded database.
import { parseArgs } from 'node:util';
import { parseKeySpec } from '../src/lib/server/config';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { rotateSigningKey } from '../src/lib/server/documents/signing-keys';
import { findServedMunicipality } from '../src/lib/server/municipality';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({
		options: { rotate: { type: 'boolean' }, municipality: { type: 'string' } }
	});
	const database = await launchDatabase(process.env, { attach: true });
	const db = createDatabase(database.ownerUrl, { max: 2 });
	try {
		const city = await findServedMunicipality(
			db,
			values.municipality ?? process.env.MUNICIPALITY_CODE
		);
		if (!city) throw new UsageError('no municipality found: load one first or pass --municipality');
		if (values.rotate) {
			if (!database.documentKey) throw new UsageError('DOCUMENT_KEY is not set');
			const { kid, retired } = await rotateSigningKey(db, {
				municipalityCode: city.municipality_code,
				sealing: parseKeySpec(database.documentKey),
				now: new Date()
			});
			console.log(`signing key ${kid} is now active`);
			for (const old of retired) console.log(`retired ${old} (still published for verification)`);
		}
		const keys = await db
			.selectFrom('document_signing_key')
			.select(['kid', 'created_at', 'retired_at'])
			.where('municipality_code', '=', city.municipality_code)
			.orderBy('created_at', 'desc')
			.execute();
		if (keys.length === 0) console.log('no signing key yet: run with --rotate');
		for (const key of keys) {
			console.log(
				`${key.kid}  created ${key.created_at.toISOString()}  ${key.retired_at ? `retired ${key.retired_at.toISOString()}` : 'ACTIVE'}`
			);
		}
	} finally {
		await db.destroy();
		await database.stop();
	}
});
