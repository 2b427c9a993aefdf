// What crosses from the portal to the back office, as both sides read it (docs/zones.md). The
// portal writes an item; the back office takes it in through the signed pull and trusts nothing
// in it: the shapes below are checked first, then every signed act is verified again inside.
import { z } from 'zod';
import type { RawSignedAct } from '../auth/signing';

/**
 * The kinds that travel through the exchange so far: the consent (issue 27, step 2), an
 * application's submission (an answer to a 差し戻し is a resubmission) and its withdrawal, and a
 * 開示・訂正・利用停止請求 made online. Enrolment claims follow, with their own entry here and their
 * handler in intake.ts.
 */
export const exchangeKinds = ['consent', 'submit', 'withdraw', 'desk_request'] as const;
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

/**
 * The request the resident signed from, as the portal saw it: kept with the back office's audit
 * entry of the act. The portal's word, not the resident's (the signature does not cover it), so
 * it names where a request came from and decides nothing.
 */
export const requestContextShape = z
	.object({
		requestId: z.string().max(100),
		ip: z.string().max(100).nullable(),
		userAgent: z.string().max(500).nullable(),
		sessionHash: z.string().max(100).nullable()
	})
	.strict();
export type RequestContext = z.infer<typeof requestContextShape>;

export const signedActItemBody = z
	.object({ act: signedActShape, context: requestContextShape.optional() })
	.strict();
export type SignedActItemBody = z.infer<typeof signedActItemBody>;

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
	residentAccountId: z.string().uuid(),
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
export const acknowledgement = z.object({
	outcomes: z
		.array(z.object({ seq: listedItem.shape.seq, outcome: z.enum(outcomes) }))
		.min(1)
		.max(1000)
});
export type Acknowledgement = z.infer<typeof acknowledgement>;
