// One audit entry for a failed sign-in step, with its reason code and, when known, whose it was
// (LOG-2); the person is told one generic message, so the log is where the reason lives.
import { recordAudit, type Actor } from '../audit/record';
import type { AuditAction } from '../audit/actions';
import { actorOf, type Caller } from '../audit/caller';
import type { Executor, PortalZoneExecutor } from '../db';
import { EnrolmentFailure } from './enrolment';
import { AuthFailure } from './failures';
import { reportAuthEvent } from './reported';
import { CredentialFailure, type AuthRealm } from './webauthn';

export async function auditCeremonyFailure(
	db: Executor,
	caller: Caller,
	input: { action: AuditAction; failure: AuthFailure; realm: AuthRealm }
): Promise<void> {
	const { failure, realm } = input;
	let actor: Actor = actorOf(caller);
	let objectType: string | undefined;
	let objectId: string | undefined;
	if (failure instanceof CredentialFailure) {
		// The credential names its owner even when nobody is signed in yet.
		if (actor.type === 'anonymous') {
			const { ownerId } = failure.credential;
			actor =
				realm === 'resident'
					? { type: 'resident', id: ownerId, role: 'resident' }
					: { type: 'staff', id: ownerId, role: 'unknown', department: null };
		}
		objectType = 'webauthn_credential';
		objectId = failure.credential.id;
	}
	if (failure instanceof EnrolmentFailure && failure.enrolment) {
		objectType = 'enrolment';
		objectId = failure.enrolment.id;
	}
	await recordAudit(db, {
		municipalityCode: caller.municipalityCode,
		actor,
		context: caller.context,
		action: input.action,
		subjectAtenaNumber:
			failure instanceof EnrolmentFailure
				? (failure.enrolment?.atena_number ?? undefined)
				: undefined,
		objectType,
		objectId,
		result: 'denied',
		payload: { reason: failure.reason, realm }
	});
	if (failure.reason === 'counter_regression' && failure instanceof CredentialFailure) {
		await recordAudit(db, {
			municipalityCode: caller.municipalityCode,
			actor: { type: 'system', id: 'webauthn', role: 'system' },
			context: caller.context,
			action: 'auth.credential_flag',
			objectType: 'webauthn_credential',
			objectId: failure.credential.id,
			result: 'ok',
			payload: { reason: 'counter_regression' }
		});
	}
	logFailure(caller, input.action, failure);
}

/**
 * A resident's failed step on the portal zone (issue 27): reported for the back office's audit log
 * as the credential's owner's when the credential is known (a counter regression is also reported
 * as a flag, by the assertion store), as anonymous otherwise.
 * @audit reported — an 'auth_event' item
 */
export async function reportCeremonyFailure(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: {
		action: 'auth.sign_in' | 'auth.sign' | 'auth.register' | 'auth.enrolment_claim';
		failure: AuthFailure;
	}
): Promise<void> {
	const { failure } = input;
	const credential = failure instanceof CredentialFailure ? failure.credential : undefined;
	await reportAuthEvent(zone, caller.context, {
		account: credential?.ownerId ?? (caller.type === 'resident' ? caller.id : null),
		action: input.action,
		result: 'denied',
		reason: failure.reason,
		...(credential ? { credential: credential.id } : {})
	});
	logFailure(caller, input.action, failure);
}

function logFailure(caller: Caller, action: AuditAction, failure: AuthFailure) {
	// Detail (never the user's input) for operators, tied to the request id.
	console.warn(
		JSON.stringify({
			level: 'warn',
			requestId: caller.context?.requestId,
			event: action,
			reason: failure.reason
		})
	);
}
