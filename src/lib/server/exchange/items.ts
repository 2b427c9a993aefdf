// What crosses from the portal to the back office, as both sides read it (docs/zones.md). The
// portal writes an item; the back office takes it in through the signed pull and trusts nothing
// in it: the shapes below are checked first, then every signed act is verified again inside.
import { z } from 'zod';
import type { RawSignedAct } from '../auth/signing';
import { requestContextShape } from '../zone/shapes';

export {
	requestContextShape,
	viewItemBody,
	type RequestContext,
	type ViewItemBody
} from '../zone/shapes';

/**
 * The acts a resident signs with a passkey that travel through the exchange: the consent, an
 * application's submission (an answer to a 差し戻し is a resubmission) and its withdrawal, a
 * 開示・訂正・利用停止請求 made online, and a passkey added while signed in (signed with one the
 * account already has).
 */
export const signedActKinds = [
	'consent',
	'submit',
	'withdraw',
	'desk_request',
	'passkey_add'
] as const;
export type SignedActItemKind = (typeof signedActKinds)[number];

/**
 * Enrolment (issue 27, step 3): the claim of a letter code or desk link, which the back office
 * checks and answers with the options for a passkey, and the passkey made with them, which it
 * verifies and confirms. Neither comes from an account yet.
 */
export const enrolmentKinds = ['enrolment_claim', 'enrolment_registration'] as const;
export type EnrolmentKind = (typeof enrolmentKinds)[number];

/**
 * The resident's pages that showed a person's record (issue 27): the portal reports each view,
 * the back office resolves the references and appends the entries to its audit log ("every
 * operation is logged, views included"). The portal's word, signed by nobody: it names what was
 * shown and decides nothing.
 */
export const viewKinds = ['view'] as const;

/**
 * Residents' sign-in on the portal (issue 27): what happened, for the audit log
 * (`authEventItemBody`), a passkey the portal stopped using (`credentialFlagItemBody`), one its
 * holder revoked (`passkeyRevokeItemBody`) or renamed (`passkeyRenameItemBody`).
 */
export const authKinds = [
	'auth_event',
	'credential_flag',
	'passkey_revoke',
	'passkey_rename'
] as const;
export type AuthKind = (typeof authKinds)[number];

/**
 * What anyone on the internet does that the back office must know (issue 27): a look-up on the
 * public verify page, audited as `document.verify` (`verifyLookupItemBody`).
 */
export const publicKinds = ['verify_lookup'] as const;

export const exchangeKinds = [
	...signedActKinds,
	...enrolmentKinds,
	...viewKinds,
	...authKinds,
	...publicKinds
] as const;
export type ExchangeKind = (typeof exchangeKinds)[number];

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/, 'base64url');

/** A signed act as it travels: the raw assertion and exactly what was signed. */
export const signedActShape = z.object({
	kind: z.string().max(40),
	credentialId: base64url.min(1).max(1400),
	payload: z.string().min(2).max(200_000),
	nonce: base64url.length(43),
	clientDataJSON: base64url.min(1).max(4_000),
	authenticatorData: base64url.min(37).max(4_000),
	signature: base64url.min(1).max(2_000),
	userHandle: base64url.max(200).nullable(),
	origin: z.string().max(300),
	rpId: z.string().max(255),
	signedAt: z.string().datetime({ offset: true })
});
export type SignedActOnTheWire = z.infer<typeof signedActShape>;

export const signedActItemBody = z
	.object({ act: signedActShape, context: requestContextShape.optional() })
	.strict();
export type SignedActItemBody = z.infer<typeof signedActItemBody>;

const claimId = z.string().uuid();

/** A letter code with the birth date, or a desk link's secret, as the resident gave it. */
export const enrolmentClaimBody = z
	.object({
		claimId,
		claim: z.discriminatedUnion('by', [
			z
				.object({
					by: z.literal('letter'),
					code: z.string().max(64),
					birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/)
				})
				.strict(),
			z.object({ by: z.literal('desk'), token: z.string().max(64) }).strict()
		]),
		context: requestContextShape.optional()
	})
	.strict();
export type EnrolmentClaimBody = z.infer<typeof enrolmentClaimBody>;

/** The passkey made with the options a claim's answer gave, as the browser returned it. */
export const enrolmentRegistrationBody = z
	.object({
		claimId,
		response: z.record(z.string(), z.unknown()),
		locale: z.enum(['ja', 'en']),
		context: requestContextShape.optional()
	})
	.strict();
export type EnrolmentRegistrationBody = z.infer<typeof enrolmentRegistrationBody>;

/** The back office's answer to a claim (auth/registration.ts `ClaimAnswer`), as the portal reads it. */
export const claimAnswer = z.discriminatedUnion('accepted', [
	z.object({ accepted: z.literal(false) }).strict(),
	z
		.object({
			accepted: z.literal(true),
			options: z.object({ challenge: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/) }).passthrough()
		})
		.strict()
]);

/** The back office's answer to a registration it confirmed (`RegistrationAnswer`). */
export const registrationAnswer = z
	.object({ accountId: z.string().uuid(), credentialId: z.string().uuid() })
	.strict();

export function actOnTheWire(kind: string, act: RawSignedAct, signedAt: Date): SignedActOnTheWire {
	return {
		kind,
		credentialId: act.credentialId,
		payload: act.payload,
		nonce: act.nonce.toString('base64url'),
		clientDataJSON: act.clientDataJSON.toString('base64url'),
		authenticatorData: act.authenticatorData.toString('base64url'),
		signature: act.signature.toString('base64url'),
		userHandle: act.userHandle?.toString('base64url') ?? null,
		origin: act.origin,
		rpId: act.rpId,
		signedAt: signedAt.toISOString()
	};
}

export function actFromTheWire(act: SignedActOnTheWire): RawSignedAct {
	return {
		credentialId: act.credentialId,
		payload: act.payload,
		nonce: Buffer.from(act.nonce, 'base64url'),
		clientDataJSON: Buffer.from(act.clientDataJSON, 'base64url'),
		authenticatorData: Buffer.from(act.authenticatorData, 'base64url'),
		signature: Buffer.from(act.signature, 'base64url'),
		userHandle: act.userHandle === null ? null : Buffer.from(act.userHandle, 'base64url'),
		origin: act.origin,
		rpId: act.rpId
	};
}

/** An item as the portal's endpoint lists it. */
export const listedItem = z.object({
	seq: z.string().regex(/^[1-9][0-9]{0,18}$/),
	kind: z.string().max(40),
	residentAccountId: z.string().uuid().nullable(),
	body: z.unknown(),
	arrivedAt: z.string().datetime({ offset: true })
});
export type ListedItem = z.infer<typeof listedItem>;
export const itemList = z.object({ items: z.array(listedItem).max(1000) });

/**
 * applied; refused (did not verify: a security event, the reason kept inside); moved (verified,
 * but the application had moved on when it was taken in: nothing applied, nothing suspicious).
 */
export const outcomes = ['applied', 'refused', 'moved'] as const;
export type Outcome = (typeof outcomes)[number];
/** An answer as it travels back: an object, kept small (a claim's options are about 1 KB). */
const answerShape = z
	.record(z.string(), z.unknown())
	.refine((answer) => JSON.stringify(answer).length <= 16_384, 'answer too large');
export const acknowledgement = z.object({
	outcomes: z
		.array(
			z.object({
				seq: listedItem.shape.seq,
				outcome: z.enum(outcomes),
				answer: answerShape.optional()
			})
		)
		.min(1)
		.max(1000)
});
export type Acknowledgement = z.infer<typeof acknowledgement>;
