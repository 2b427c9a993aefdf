import { recordAudit } from '$lib/server/audit/record';
import { staffActor } from '$lib/server/auth/http';
import { findPerson, issueDesk } from '$lib/server/auth/proofing-http';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const { staff, person } = await findPerson(event, event.params.atena);
	const account = await db()
		.selectFrom('resident_account')
		.leftJoin('webauthn_credential', (join) =>
			join
				.onRef('webauthn_credential.resident_account_id', '=', 'resident_account.id')
				.on('webauthn_credential.revoked_at', 'is', null)
		)
		.select((eb) => [
			eb.fn.count<string>('webauthn_credential.id').as('passkeys'),
			eb.fn
				.count<string>('webauthn_credential.id')
				.filterWhere('webauthn_credential.flagged_at', 'is not', null)
				.as('flagged')
		])
		.where('resident_account.municipality_code', '=', staff.municipalityCode)
		.where('resident_account.atena_number', '=', person.atena_number)
		.executeTakeFirst();
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'resident.view',
		subjectAtenaNumber: person.atena_number,
		result: 'ok',
		payload: { purpose: 'identity_proofing' }
	});
	return {
		person,
		passkeys: Number(account?.passkeys ?? 0),
		flagged: Number(account?.flagged ?? 0)
	};
};

export const actions: Actions = { desk: issueDesk };
