// Showing a 個人番号 to staff: only with the permission (checked by the caller's route), one
// person at a time, with a reason written to the audit entry, and never into the entry itself.
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { openMyNumber, type MyNumberKey } from '../mynumber/cipher';

export class MyNumberReasonRequired extends Error {
	override name = 'MyNumberReasonRequired';
}

/** The person's number in groups of four, or null when none is on file; audited either way. */
export async function revealMyNumber(
	db: Executor,
	input: {
		municipalityCode: string;
		atenaNumber: string;
		keys: MyNumberKey[];
		actor: Actor;
		context: AuditContext;
		reason: string;
	}
): Promise<string | null> {
	const reason = input.reason.trim();
	if (!reason) throw new MyNumberReasonRequired();
	const sealed = await db
		.selectFrom('mynumber.individual_number')
		.select(['key_id', 'nonce', 'ciphertext', 'auth_tag'])
		.where('municipality_code', '=', input.municipalityCode)
		.where('atena_number', '=', input.atenaNumber)
		.executeTakeFirst();
	const value = sealed
		? openMyNumber(
				input.keys,
				{ municipalityCode: input.municipalityCode, atenaNumber: input.atenaNumber },
				{
					keyId: sealed.key_id,
					nonce: sealed.nonce,
					ciphertext: sealed.ciphertext,
					authTag: sealed.auth_tag
				}
			)
		: null;
	await recordAudit(db, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'mynumber.view',
		subjectAtenaNumber: input.atenaNumber,
		objectType: 'resident',
		objectId: input.atenaNumber,
		reason,
		result: 'ok',
		payload: { on_file: value !== null }
	});
	return value ? value.replace(/(\d{4})(?=\d)/g, '$1 ') : null;
}
