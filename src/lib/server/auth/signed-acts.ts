// A resident's signed act (our analogue of a JPKI signature): which acts the browser may name, and
// the challenge over what is to be signed, given on the portal zone for the passkeys the back
// office published (issue 27). The act is verified and sent by exchange/portal.ts, and verified
// again, stored and audited by the back office (exchange/intake.ts).
import { z } from 'zod';
import { requireResident, type Caller } from '../audit/caller';
import type { PortalZoneExecutor } from '../db';
import { servedMunicipality } from '../municipality/served';
import { projectedCredentialsOf } from '../zone/projection';
import { AuthFailure } from './failures';
import { relyingParty } from './relying-party';
import { signingOptions, type SignedActKind } from './signing';

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
 * Options to sign `payload`: the challenge is its digest, so the signature covers it.
 * @audit none — a challenge over the person's own act; the signature is audited when it returns.
 */
export async function signingChallenge(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { kind: SignedActKind; payload: unknown; ceremonyHash: Buffer; now?: Date }
) {
	requireResident(caller);
	const city = await servedMunicipality();
	const credentials = await projectedCredentialsOf(zone, caller.id);
	const { options } = await signingOptions(zone, relyingParty(city, 'resident'), {
		accountId: caller.id,
		kind: input.kind,
		payload: input.payload,
		ceremonyHash: input.ceremonyHash,
		credentials: credentials
			.filter((credential) => credential.revokedAt === null && !credential.flagged)
			.map((credential) => ({
				credential_id: credential.credentialId,
				transports: credential.transports
			})),
		now: input.now ?? new Date()
	});
	return options;
}
