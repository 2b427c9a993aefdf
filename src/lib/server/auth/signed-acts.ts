// A resident's signed act (our analogue of a JPKI signature), as the doors a route calls: the
// challenge over what is to be signed, and the verified signature stored and audited in one
// transaction with what the act does. Which acts exist and what each does belong to the case
// code (applications, desk requests); this module only signs.
import { z } from 'zod';
import { recordAudit } from '../audit/record';
import { actorOf, requireResident, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { servedMunicipality } from '../municipality/served';
import { userHandleOf } from './credentials';
import { AuthFailure } from './failures';
import { relyingParty } from './relying-party';
import { completeSigning, signingOptions, type SignedActKind } from './signing';

/**
 * The acts the generic /auth/sign endpoint signs: those whose kind and payload the browser names.
 * A submission, withdrawal, answer to a 差し戻し or request to the desk has its own endpoint,
 * which builds the payload on the server and carries it out; signed here, it would be stored and
 * audited as ok while doing nothing (issue 24, low).
 */
export const browserNamedActs: readonly SignedActKind[] = ['consent'];

/**
 * What a consent signs: the home page's statement, in the words and the language shown, and when
 * it was shown. Checked before a challenge is given and again by the back office: the kind an
 * exchange item names is not signed, so what was signed must say what it is.
 */
export const consentStatement = z
	.object({
		statement: z.literal('electronic_notices'),
		text: z.string().min(1).max(2_000),
		locale: z.enum(['ja', 'en']),
		shown_at: z.string().datetime({ offset: true })
	})
	.strict();

export async function actFromBody(
	body: unknown
): Promise<{ kind: SignedActKind; payload: unknown }> {
	const request = (body ?? {}) as { kind?: unknown; payload?: unknown };
	if (
		!browserNamedActs.includes(request.kind as SignedActKind) ||
		!consentStatement.safeParse(request.payload).success
	) {
		throw new AuthFailure('malformed', 'sign request');
	}
	return { kind: request.kind as SignedActKind, payload: request.payload };
}

/**
 * Thrown by a signed act's handler to answer without keeping the act: the transaction that
 * stores it rolls back (its audit entry with it), so no signature stands that did nothing, and
 * the person gets `body`. For an act that has already happened (its answer was lost, or another
 * tab got there first).
 */
export class AnswerWithoutAct extends Error {
	constructor(
		readonly body: Record<string, unknown>,
		readonly status = 200
	) {
		super('answered without keeping the act');
	}
}

/** What a signed act does; `trx` is the transaction that stores the act (both or neither). */
export type SignedActHandler<Prepared = undefined> = (
	act: Awaited<ReturnType<typeof completeSigning>>['act'],
	trx: Executor,
	prepared: Prepared
) => Promise<Record<string, unknown>>;

/**
 * Options to sign `payload`: the challenge is its digest, so the signature covers it.
 * @audit none — a challenge over the person's own act; the signature is audited when it returns.
 */
export async function signingChallenge(
	db: Executor,
	caller: Caller,
	input: { kind: SignedActKind; payload: unknown; ceremonyHash: Buffer; now?: Date }
) {
	requireResident(caller);
	const city = await servedMunicipality();
	const { options } = await signingOptions(db, relyingParty(city, 'resident'), {
		accountId: caller.id,
		kind: input.kind,
		payload: input.payload,
		ceremonyHash: input.ceremonyHash,
		now: input.now ?? new Date()
	});
	return options;
}

/**
 * The signature verified and the act stored with its audit entry and its effect, all in one
 * transaction; returns what the effect answers.
 */
export async function carryOutSignedAct<Prepared>(
	db: Executor,
	caller: Caller,
	input: { response: unknown; ceremonyHash: Buffer; prepared: Prepared; now?: Date },
	onSigned: SignedActHandler<Prepared>
): Promise<Record<string, unknown> | undefined> {
	requireResident(caller);
	const city = await servedMunicipality();
	const { effect } = await completeSigning(
		db,
		relyingParty(city, 'resident'),
		{
			accountId: caller.id,
			municipalityCode: caller.municipalityCode,
			ceremonyHash: input.ceremonyHash,
			response: input.response,
			userHandleOf: (ownerId) => userHandleOf(db, 'resident', ownerId),
			now: input.now ?? new Date()
		},
		async (act, trx) => {
			await recordAudit(trx, {
				municipalityCode: caller.municipalityCode,
				actor: actorOf(caller),
				context: caller.context,
				action: 'auth.sign',
				subjectAtenaNumber: caller.atenaNumber,
				objectType: 'signed_act',
				objectId: act.id,
				result: 'ok',
				// base64url, not hex: 64 hex characters now and then hold a run of 12 decimal digits
				// with a valid check digit, which the audit log rightly refuses as a 個人番号.
				payload: { kind: act.kind, digest: act.digest.toString('base64url') }
			});
			return onSigned(act, trx, input.prepared);
		}
	);
	return effect;
}
