// The public verify page's door: what the printed address (or a scanned QR's issuer) leads to.
// No sign-in; it shows only what the holder shows anyway by handing the certificate over, and
// says whether it is still valid. Every look-up is audited, found or not (verifyDocument). The
// printed short code (/v/ABCD-EFGH-JKMN) and the long id of older certificates lead to the same.
import type { Caller } from '../audit/caller';
import type { Executor } from '../db';
import { jwsOfNumeric } from './health-card';
import { verifyDocument } from './registry';

/** What the verify page shows: the outcome, and where a valid certificate's cards download. */
export async function verifyCertificate(db: Executor, caller: Caller, input: { id: string }) {
	const outcome = await verifyDocument(db, {
		verifyId: input.id,
		context: caller.context,
		fallbackMunicipality: caller.municipalityCode
	});
	if (!outcome.found) return { outcome };
	const { healthCards, ...shown } = outcome;
	return {
		outcome: {
			...shown,
			// A valid certificate's cards as a file a SMART Health Card app imports.
			cardsFile:
				outcome.status === 'valid' && healthCards.length
					? `/verify/${encodeURIComponent(input.id)}/health-cards`
					: null
		}
	};
}

/**
 * The .smart-health-card file (the spec's "verifiableCredential" JSON) of a valid certificate,
 * or null when there is none to give.
 */
export async function healthCardFile(db: Executor, caller: Caller, input: { id: string }) {
	const outcome = await verifyDocument(db, {
		verifyId: input.id,
		context: caller.context,
		fallbackMunicipality: caller.municipalityCode
	});
	if (!outcome.found || outcome.status !== 'valid' || outcome.healthCards.length === 0) {
		return null;
	}
	return {
		fileName: `${outcome.documentNumber}.smart-health-card`,
		body: JSON.stringify({ verifiableCredential: outcome.healthCards.map(jwsOfNumeric) })
	};
}
