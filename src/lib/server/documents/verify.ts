// The public verify page's door: what the printed address (or a scanned QR's issuer) leads to.
// No sign-in; it shows only what the holder shows anyway by handing the certificate over, and
// says whether it is still valid. The printed short code (/v/ABCD-EFGH-JKMN) and the long id of
// older certificates lead to the same. On the portal zone (issue 27): the certificate as the back
// office published it (topic 'verification'), and every look-up, found or not, reported for the
// audit log (a `verify_lookup` item, audited `document.verify` when taken in).
import { sql } from 'kysely';
import { m } from '$lib/paraglide/messages';
import type { Caller } from '../audit/caller';
import { AuthFailure } from '../auth/failures';
import { hit, limits } from '../auth/rate-limit';
import type { PortalZoneExecutor } from '../db';
import { DomainError } from '../errors';
import { addItem } from '../zone/items';
import { publishedBody } from '../zone/projection';
import {
	signingKeysView,
	verificationView,
	type SigningKeysView,
	type VerificationView
} from '../zone/shapes';
import { jwsOfNumeric } from './health-card';
import { normalizeVerifyCode, type VerifySummary } from './registry';

export type VerifyOutcome =
	| { found: false }
	| {
			found: true;
			status: 'valid' | 'superseded' | 'revoked';
			documentNumber: string;
			summary: VerifySummary;
			statusChangedAt: string | null;
			/** Where a valid certificate's cards download (a SMART Health Card app imports them). */
			cardsFile: string | null;
	  };

/** The certificate published under a printed short code or a long id, and its document id. */
async function published(
	zone: PortalZoneExecutor,
	asked: string
): Promise<{ id: string; view: VerificationView } | null> {
	const code = normalizeVerifyCode(asked);
	if (!code && !/^[A-Za-z0-9_-]{22,64}$/.test(asked)) return null;
	const rows = await zone
		.selectFrom('projection')
		.select(['key', 'body'])
		.where('topic', '=', 'verification')
		.where(sql<string>`body->>${code ? 'code' : 'verifyId'}`, '=', code ?? asked)
		.execute();
	for (const row of rows) {
		const view = verificationView.safeParse(row.body);
		// The body must say what it was found by (the index is only on what the body says).
		if (view.success && (code ? view.data.code === code : view.data.verifyId === asked))
			return { id: row.key, view: view.data };
	}
	return null;
}

export class VerifyError extends DomainError<'rate_limited'> {
	protected readonly messages = { rate_limited: m.verify_rate_limited };
}

/** Past the limit per address, nothing is looked up or reported: the verifier is asked to wait. */
async function withinLimit(zone: PortalZoneExecutor, caller: Caller) {
	try {
		await hit(zone, limits.verifyPerIp(caller.context?.ip ?? 'unknown'));
	} catch (failure) {
		if (failure instanceof AuthFailure) throw new VerifyError('rate_limited', 429);
		throw failure;
	}
}

/** Every look-up, found or not, goes to the back office's audit log. */
async function reportLookup(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { asked: string; document: string | null; file: boolean }
) {
	await addItem(zone, {
		kind: 'verify_lookup',
		resident_account_id: null,
		body: JSON.stringify({
			document: input.document,
			asked: input.asked.slice(0, 64),
			file: input.file,
			...(caller.context ? { context: caller.context } : {})
		}),
		object_id: null
	});
}

/**
 * What the verify page shows: the outcome, and where a valid certificate's cards download.
 * @audit reported — a 'verify_lookup' item, audited as document.verify when taken in (none past
 * the limit per address)
 */
export async function verifyCertificate(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string }
): Promise<{ outcome: VerifyOutcome }> {
	await withinLimit(zone, caller);
	const found = await published(zone, input.id);
	await reportLookup(zone, caller, { asked: input.id, document: found?.id ?? null, file: false });
	if (!found) return { outcome: { found: false } };
	const { view } = found;
	return {
		outcome: {
			found: true,
			status: view.status,
			documentNumber: view.documentNumber,
			summary: view.summary,
			statusChangedAt: view.statusChangedAt,
			cardsFile:
				view.status === 'valid' && view.healthCards.length
					? `/verify/${encodeURIComponent(input.id)}/health-cards`
					: null
		}
	};
}

/**
 * The .smart-health-card file (the spec's "verifiableCredential" JSON) of a valid certificate,
 * or null when there is none to give.
 * @audit reported — a 'verify_lookup' item, audited as document.verify when taken in
 */
export async function healthCardFile(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string }
): Promise<{ fileName: string; body: string } | null> {
	await withinLimit(zone, caller);
	const found = await published(zone, input.id);
	await reportLookup(zone, caller, { asked: input.id, document: found?.id ?? null, file: true });
	if (!found || found.view.status !== 'valid' || found.view.healthCards.length === 0) return null;
	return {
		fileName: `${found.view.documentNumber}.smart-health-card`,
		body: JSON.stringify({ verifiableCredential: found.view.healthCards.map(jwsOfNumeric) })
	};
}

/**
 * The city's public document-signing keys as published (none before they are).
 * @audit none — public keys, published for anyone to fetch
 */
export async function signingKeys(
	zone: PortalZoneExecutor,
	caller: Caller
): Promise<SigningKeysView> {
	return (
		(await publishedBody(zone, 'keys', caller.municipalityCode, signingKeysView)) ?? { keys: [] }
	);
}
