// An act signed on a test's portal zone by a holder's software passkey, verified there as the
// portal verifies it (its challenge, the credential as published): what a genuine browser, or a
// compromised portal holding the resident's passkey, would have signed.
import { portalStore } from '../../src/lib/server/auth/stores';
import {
	signingOptions,
	verifySigning,
	type SignedActKind
} from '../../src/lib/server/auth/signing';
import type { RelyingParty } from '../../src/lib/server/auth/webauthn';
import type { PortalZoneDatabase } from '../../src/lib/server/db';
import { softAssertion, type SoftCredential } from './soft-authenticator';

export async function signOnPortal(
	zone: PortalZoneDatabase,
	holder: { accountId: string; soft: SoftCredential },
	input: { kind: SignedActKind; payload: unknown; rp: RelyingParty; ceremonyHash: Buffer }
) {
	const { rp, ceremonyHash } = input;
	const { options } = await signingOptions(zone, rp, {
		accountId: holder.accountId,
		kind: input.kind,
		payload: input.payload,
		ceremonyHash,
		credentials: [{ credential_id: holder.soft.id, transports: [] }],
		now: new Date()
	});
	const { act } = await verifySigning(portalStore(zone), rp, {
		accountId: holder.accountId,
		ceremonyHash,
		response: softAssertion(holder.soft, {
			challenge: options.challenge,
			origin: rp.origin,
			rpId: rp.rpId
		}),
		now: new Date()
	});
	return act;
}
