// npm run staff:create -- --role admin --login yamada --name "山田 花子" --department "健康増進課"
// Creates one staff account (one per person, AUTH-1) and prints a one-time registration link for
// its first passkey. Works while the app is running on the embedded database.
import { parseArgs } from 'node:util';
import { staffLinkLifetimeHours } from '../src/lib/server/auth/enrolment';
import { onboardStaff } from '../src/lib/server/staff/onboarding';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { findServedMunicipality } from '../src/lib/server/municipality';
import { StaffAccountError } from '../src/lib/server/staff/accounts';
import { tokyoDate } from '../src/lib/server/time';
import { runCommand, UsageError } from './lib/run';

const usage =
	'usage: npm run staff:create -- --role ROLE --login LOGIN_ID --name "氏名" --department "所属" [--until YYYY-MM-DD] [--municipality CODE]';

await runCommand(async () => {
	const { values } = parseArgs({
		options: {
			role: { type: 'string' },
			login: { type: 'string' },
			name: { type: 'string' },
			department: { type: 'string' },
			'department-en': { type: 'string' },
			until: { type: 'string' },
			municipality: { type: 'string' }
		}
	});
	if (!values.role || !values.login || !values.name || !values.department)
		throw new UsageError(usage);
	if (!/^[a-z0-9][a-z0-9._-]{1,31}$/.test(values.login)) {
		throw new UsageError('--login must be 2–32 of a-z 0-9 . _ - (one account per person)');
	}
	if (values.until && !/^\d{4}-\d{2}-\d{2}$/.test(values.until)) {
		throw new UsageError('--until must be a date YYYY-MM-DD');
	}
	const database = await launchDatabase(process.env, { attach: true });
	const db = createDatabase(database.ownerUrl, { max: 2 });
	try {
		const city = await findServedMunicipality(
			db,
			values.municipality ?? process.env.MUNICIPALITY_CODE
		);
		if (!city) throw new UsageError('no municipality found: load one first or pass --municipality');
		const now = new Date();
		const { token } = await db.transaction().execute((trx) =>
			onboardStaff(
				trx,
				{
					municipalityCode: city.municipality_code,
					loginId: values.login!,
					displayName: values.name!,
					departmentJa: values.department!,
					departmentEn: values['department-en'] ?? values.department!,
					roles: [
						{ role: values.role!, validFrom: tokyoDate(now), validUntil: values.until ?? null }
					],
					createdBy: null,
					reason: 'staff:create command',
					now
				},
				{ actor: { type: 'system', id: 'staff:create', role: 'system' } }
			)
		);
		const origin = process.env.ORIGIN ?? `http://localhost:${process.env.PORT ?? 3000}`;
		console.log(`Created ${values.login} (${values.role}) in ${city.name_ja}.`);
		console.log(`One-time passkey registration link (valid ${staffLinkLifetimeHours} h):`);
		console.log(`${origin}/staff/register/${token}`);
	} catch (error) {
		if (error instanceof StaffAccountError) {
			throw new UsageError(
				error.code === 'login_taken'
					? `login ${values.login} already exists`
					: `unknown role ${values.role}`
			);
		}
		throw error;
	} finally {
		await db.destroy();
		await database.stop();
	}
});
