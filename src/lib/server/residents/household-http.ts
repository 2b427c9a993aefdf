// The one gate for pages about a person: the signed-in resident themself or a child they
// represent. Anything else is a 404 with an audit entry (an IDOR attempt leaves a trace).
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import type { AuditAction } from '../audit/actions';
import { recordAudit, type Actor } from '../audit/record';
import { db } from '../db';
import { accountOf, representedPeople, type Person } from './household';

export async function representedPerson(
	locals: App.Locals,
	ref: string,
	action: AuditAction
): Promise<{ person: Person; actor: Actor }> {
	const resident = locals.resident!;
	const people = await representedPeople(db(), accountOf(resident), new Date());
	const person = people.find((candidate) => candidate.ref === ref);
	if (!person) {
		await recordAudit(db(), {
			municipalityCode: resident.municipalityCode,
			actor: { type: 'resident', id: resident.accountId, role: 'resident' },
			context: locals.audit,
			action,
			objectType: 'person_ref',
			objectId: ref.slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_represented' }
		});
		error(404, m.error_not_found());
	}
	const actor: Actor = {
		type: 'resident',
		id: resident.accountId,
		role: person.relation === 'self' ? 'resident' : 'guardian'
	};
	await recordAudit(db(), {
		municipalityCode: resident.municipalityCode,
		actor,
		context: locals.audit,
		action,
		subjectAtenaNumber: person.atenaNumber,
		result: 'ok'
	});
	return { person, actor };
}
