// The back office takes in what the portal holds for it (docs/zones.md). Nothing from the portal
// is trusted: each item's shape is checked, every signed act is verified again here from its raw
// WebAuthn parts against the credential the back office holds, and an item that fails is
// refused, audited as a security event with its portal sequence, listed for the auditor, and
// nothing of it is applied. Each item is taken in once: its (portal, seq) row is written in the
// transaction that applies it, and a second take finds the row and changes nothing.
import { sql, type Insertable } from 'kysely';
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { recordAudits, type AuditContext, type AuditEvent } from '../audit/record';
import type { ResidentCaller } from '../audit/caller';
import { takeInTransition } from '../applications/applicant';
import { SubmissionError } from '../applications/store';
import { consentStatement } from '../auth/signed-acts';
import { notify } from '../notifications/notices';
import { renameCredential, revokeCredential } from '../auth/credentials';
import {
	authEventItemBody,
	credentialFlagItemBody,
	passkeyAddPayload,
	passkeyRenameItemBody,
	passkeyRevokeItemBody,
	verifyLookupItemBody,
	type AuthEventItemBody,
	type CredentialFlagItemBody,
	type PasskeyRenameItemBody,
	type PasskeyRevokeItemBody
} from '../zone/shapes';
import { OnlineRequestError, takeInDeskRequest } from '../desk/online';
import { applicationViewAudits } from '../applications/projection';
import { verifyLookupAudit } from '../documents/projection';
import { portalViewAudits } from '../residents/projection';
import { actDigest, checkActSignature, type SignedAct } from '../auth/signing';
import type { Database, DB, Executor } from '../db';
import {
	RegistrationRefused,
	takeInEnrolmentClaim,
	takeInEnrolmentRegistration,
	takeInPasskeyAddition
} from '../auth/registration';
import {
	actFromTheWire,
	enrolmentClaimBody,
	enrolmentKinds,
	enrolmentRegistrationBody,
	authKinds,
	exchangeKinds,
	signedActItemBody,
	viewItemBody,
	type AuthKind,
	type EnrolmentKind,
	type ExchangeKind,
	type SignedActItemKind,
	type ListedItem,
	type Outcome,
	type RequestContext
} from './items';

const isEnrolmentKind = (kind: ExchangeKind): kind is EnrolmentKind =>
	(enrolmentKinds as readonly string[]).includes(kind);
const isAuthKind = (kind: ExchangeKind): kind is AuthKind =>
	(authKinds as readonly string[]).includes(kind);

export type IntakeResult = {
	seq: string;
	outcome: Outcome;
	already: boolean;
	/** What the back office answers with the outcome (an enrolment claim's options, …). */
	answer?: Record<string, unknown>;
};

/** Who the back office expects residents to have signed for (the portal's relying party). */
export type ResidentRelyingParty = { origin: string; rpId: string };

type Decision =
	| { outcome: 'applied'; signedActId: string | null; answer?: Record<string, unknown> }
	| { outcome: 'moved' }
	| { outcome: 'refused'; code: RefusalCode; reason: string };

/** Why an item is refused: the code the auditor's screen words, and a detail where there is one. */
export const refusalCodes = [
	'malformed',
	'unknown_kind',
	'other_kind',
	'unknown_account',
	'credential_unknown',
	'credential_of_another_account',
	'credential_revoked',
	'credential_flagged',
	'origin',
	'user_handle',
	'signature',
	'replayed',
	'payload',
	'enrolment',
	'registration'
] as const;
export type RefusalCode = (typeof refusalCodes)[number];

/**
 * The act verified, but what it is about had moved on when it was taken in: its writes (the
 * stored act, its audit entry) are undone, and the item is kept as 'moved'.
 */
class MovedOn extends Error {}

class Refusal extends Error {
	constructor(
		readonly code: RefusalCode,
		detail?: string
	) {
		super(detail ? `${code}: ${detail}` : code);
	}
}
/**
 * Stored as "code" or "code: detail" (the detail in English, for whoever investigates). The
 * detail can echo what the forger chose (a library's message quotes the challenge), so runs of
 * digits are masked: a 個人番号 must not reach the intake record or the auditor's screen.
 */
const refuse = (code: RefusalCode, detail?: string): never => {
	throw new Refusal(code, detail?.replace(/[0-9]{6,}/g, '…').slice(0, 200));
};

/**
 * An item's sequence number as the audit log keeps it: zero-padded to the 19 digits a bigint can
 * have. The portal chooses its numbers; twelve digits with a valid check digit read as a 個人番号,
 * the audit refuses the entry, and the batch would roll back on every pull.
 */
export const auditedSeq = (seq: string) => seq.padStart(19, '0');

/** Runs of twelve or more digits, which the audit log refuses as a possible 個人番号. */
const masked = (text: string | null, max: number) =>
	text === null ? null : text.replace(/[0-9]{12,}/g, '…').slice(0, max);

/**
 * The request context the portal reports (its word, not the resident's), as the back office
 * keeps it: an address only if it reads as one, digit runs masked elsewhere, so nothing a portal
 * adds can make the audit log refuse a genuine act.
 */
function keptContext(context: RequestContext | undefined): AuditContext | undefined {
	if (!context) return undefined;
	return {
		requestId: masked(context.requestId, 100) ?? 'exchange',
		ip: context.ip !== null && isIP(context.ip) !== 0 ? context.ip : null,
		userAgent: masked(context.userAgent, 512),
		sessionHash: masked(context.sessionHash, 100)
	};
}

/**
 * What a batch reads once, before its first item, instead of once per item: the intake rows of
 * items taken before, the accounts the items name, the credentials their acts name, and which of
 * their nonces are stored already (an act sent again is a replay; so is the second of two items in
 * one batch carrying the same act, which `nonces` learns as each item is kept).
 */
type BatchReads = {
	earlier: Map<string, { outcome: string; answer: unknown }>;
	accounts: Map<
		string,
		{ id: string; municipality_code: string; atena_number: string; user_handle: Buffer }
	>;
	credentials: Map<
		string,
		{
			id: string;
			resident_account_id: string | null;
			public_key: Buffer;
			revoked_at: Date | null;
			flagged_at: Date | null;
		}
	>;
	nonces: Set<string>;
	/** The nonces of the item in hand, kept once it is taken in. */
	pending: string[];
	/**
	 * Consents verified in this batch, written in one statement before its intake rows: a consent
	 * writes nothing else, so it needs no statement (and no savepoint) of its own.
	 */
	consents: Insertable<DB['signed_act']>[];
};

async function readBatch(
	trx: Executor,
	portal: string,
	items: readonly ListedItem[]
): Promise<BatchReads> {
	// Two back-office processes pulling at once take the same items one after the other: every
	// item's lock in one statement, in one order, so two batches cannot wait on each other.
	const keys = items.map((item) => `${portal}#${item.seq}`).sort();
	await sql`SELECT pg_advisory_xact_lock(hashtextextended(key, 7261027))
		FROM unnest(${keys}::text[]) AS key ORDER BY key`.execute(trx);
	const earlier = await trx
		.selectFrom('exchange_intake')
		.select(['seq', 'outcome', 'answer'])
		.where('portal', '=', portal)
		.where(
			'seq',
			'in',
			items.map((item) => item.seq)
		)
		.execute();
	const acts = items.flatMap((item) => {
		const parsed = signedActItemBody.safeParse(item.body);
		return parsed.success ? [parsed.data.act] : [];
	});
	const accountIds = [
		...new Set(items.flatMap((item) => (item.residentAccountId ? [item.residentAccountId] : [])))
	];
	const credentialIds = [...new Set(acts.map((act) => act.credentialId))];
	const nonces = acts.map((act) => Buffer.from(act.nonce, 'base64url'));
	const [accounts, credentials, stored] = await Promise.all([
		accountIds.length
			? trx
					.selectFrom('resident_account')
					.select(['id', 'municipality_code', 'atena_number', 'user_handle'])
					.where('id', 'in', accountIds)
					.execute()
			: [],
		credentialIds.length
			? trx
					.selectFrom('webauthn_credential')
					.select([
						'id',
						'credential_id',
						'resident_account_id',
						'public_key',
						'revoked_at',
						'flagged_at'
					])
					.where('credential_id', 'in', credentialIds)
					.execute()
			: [],
		nonces.length
			? trx.selectFrom('signed_act').select('nonce').where('nonce', 'in', nonces).execute()
			: []
	]);
	return {
		earlier: new Map(
			earlier.map((row) => [String(row.seq), { outcome: row.outcome, answer: row.answer }])
		),
		accounts: new Map(accounts.map((row) => [row.id, row])),
		credentials: new Map(credentials.map((row) => [row.credential_id, row])),
		nonces: new Set(stored.map((row) => row.nonce.toString('base64url'))),
		pending: [],
		consents: []
	};
}

/**
 * Verifies a signed act carried by an item against the back office's own credential: it must
 * belong to the account the item names, be neither revoked nor flagged, be signed for the portal's
 * origin and RP ID with user verification, over exactly the payload carried, and be new (its nonce
 * never stored before: an old act sent again is a replay).
 */
async function verifiedAct(
	item: ListedItem,
	kind: SignedActItemKind,
	rp: ResidentRelyingParty,
	reads: BatchReads
) {
	const parsed = signedActItemBody.safeParse(item.body);
	if (!parsed.success) refuse('malformed');
	const wire = parsed.data!.act;
	if (wire.kind !== kind) refuse('other_kind');
	if (item.residentAccountId === null) refuse('unknown_account');
	const account = reads.accounts.get(item.residentAccountId!);
	if (!account) refuse('unknown_account');
	const credential = reads.credentials.get(wire.credentialId);
	if (!credential || credential.resident_account_id === null) refuse('credential_unknown');
	if (credential!.resident_account_id !== account!.id) refuse('credential_of_another_account');
	if (credential!.revoked_at) refuse('credential_revoked');
	if (credential!.flagged_at) refuse('credential_flagged');
	if (wire.origin !== rp.origin || wire.rpId !== rp.rpId) refuse('origin');
	const act = actFromTheWire(wire);
	if (act.userHandle && !act.userHandle.equals(account!.user_handle)) refuse('user_handle');
	const check = await checkActSignature(act, new Uint8Array(credential!.public_key));
	if (!check.valid) refuse('signature', check.reason);
	if (reads.nonces.has(wire.nonce)) refuse('replayed');
	reads.pending.push(wire.nonce);
	return {
		act,
		wire,
		context: keptContext(parsed.data!.context),
		account: account!,
		credentialId: credential!.id
	};
}

type VerifiedAct = Awaited<ReturnType<typeof verifiedAct>>;

/**
 * The verified act as the back office keeps it, with its audit entry (appended with the batch's):
 * the same record an act signed in one zone used to leave. Its id is drawn here, so an act can be
 * written later in the batch's one statement.
 */
function actRecord(item: ListedItem, verified: VerifiedAct, audit: AuditEvent[]) {
	const { act, wire, account, credentialId } = verified;
	const digest = actDigest(act.payload, act.nonce);
	const row = {
		id: randomUUID(),
		municipality_code: account.municipality_code,
		resident_account_id: account.id,
		kind: wire.kind,
		payload: act.payload,
		nonce: act.nonce,
		digest,
		credential_id: credentialId,
		client_data_json: act.clientDataJSON,
		authenticator_data: act.authenticatorData,
		signature: act.signature,
		user_handle: act.userHandle,
		origin: act.origin,
		rp_id: act.rpId,
		signed_at: new Date(wire.signedAt)
	} satisfies Insertable<DB['signed_act']>;
	audit.push({
		municipalityCode: account.municipality_code,
		actor: { type: 'resident', id: account.id, role: 'resident' },
		context: verified.context,
		action: 'auth.sign',
		subjectAtenaNumber: account.atena_number,
		objectType: 'signed_act',
		objectId: row.id,
		result: 'ok',
		payload: {
			kind: wire.kind,
			digest: digest.toString('base64url'),
			portalSeq: auditedSeq(item.seq)
		}
	});
	return row;
}

/** The verified act stored now, for what the kind writes with it (a submission, a request). */
async function storeAct(
	trx: Executor,
	item: ListedItem,
	verified: VerifiedAct,
	audit: AuditEvent[]
): Promise<SignedAct> {
	return trx
		.insertInto('signed_act')
		.values(actRecord(item, verified, audit))
		.returningAll()
		.executeTakeFirstOrThrow();
}

/**
 * An enrolment's steps (issue 27): a claim is answered whether or not its code was right (a wrong
 * one is counted and audited, not refused: people mistype); a registration is confirmed, or
 * refused when it does not verify against this side's challenge or names no claim held here.
 */
async function applyEnrolment(
	trx: Executor,
	item: ListedItem,
	kind: EnrolmentKind,
	input: { rp: ResidentRelyingParty; municipalityCode: string }
): Promise<Decision> {
	if (item.residentAccountId !== null) refuse('malformed', 'an enrolment from an account');
	const now = new Date();
	if (kind === 'enrolment_claim') {
		const parsed = enrolmentClaimBody.safeParse(item.body);
		if (!parsed.success) refuse('malformed');
		const { claimId, claim, context } = parsed.data!;
		const answer = await takeInEnrolmentClaim(trx, {
			claimId,
			claim,
			rp: input.rp,
			municipalityCode: input.municipalityCode,
			context: keptContext(context),
			now
		});
		return { outcome: 'applied', signedActId: null, answer };
	}
	const parsed = enrolmentRegistrationBody.safeParse(item.body);
	if (!parsed.success) refuse('malformed');
	const { claimId, response, locale, context } = parsed.data!;
	try {
		const answer = await takeInEnrolmentRegistration(trx, {
			claimId,
			response,
			locale,
			rp: input.rp,
			portalSeq: auditedSeq(item.seq),
			context: keptContext(context),
			now
		});
		return { outcome: 'applied', signedActId: null, answer };
	} catch (failure) {
		if (failure instanceof RegistrationRefused) refuse(failure.code, failure.detail);
		throw failure;
	}
}

/**
 * A resident's sign-in as the portal reports it (issue 27): the event appended to the audit log
 * as the resident's (or, before anyone is known, as anonymous), a passkey the portal stopped
 * using recorded on the back office's own credential, the resident told, the credential
 * published so, and a passkey its holder revoked or renamed. A credential named must be the
 * account's own.
 */
async function applyAuthItem(
	trx: Executor,
	item: ListedItem,
	kind: AuthKind,
	input: { municipalityCode: string; rp: ResidentRelyingParty },
	reads: BatchReads,
	audit: AuditEvent[]
): Promise<Decision> {
	const parsed = {
		auth_event: authEventItemBody,
		credential_flag: credentialFlagItemBody,
		passkey_revoke: passkeyRevokeItemBody,
		passkey_rename: passkeyRenameItemBody
	}[kind].safeParse(item.body);
	if (!parsed.success) refuse('malformed');
	const body = parsed.data as
		AuthEventItemBody | CredentialFlagItemBody | PasskeyRevokeItemBody | PasskeyRenameItemBody;
	// A revocation or a name is the holder's own: it comes from their account.
	if ((kind === 'passkey_revoke' || kind === 'passkey_rename') && !item.residentAccountId)
		refuse('unknown_account');
	const account = item.residentAccountId ? reads.accounts.get(item.residentAccountId) : undefined;
	if (item.residentAccountId && !account) refuse('unknown_account');
	const credential = body.credential
		? await trx
				.selectFrom('webauthn_credential')
				.select(['id', 'resident_account_id'])
				.where('id', '=', body.credential)
				.executeTakeFirst()
		: undefined;
	if (body.credential && !credential) refuse('credential_unknown');
	if (credential && credential.resident_account_id !== account?.id)
		refuse('credential_of_another_account');
	const actor = account
		? ({ type: 'resident', id: account.id, role: 'resident' } as const)
		: ({ type: 'anonymous', id: 'anonymous', role: 'anonymous' } as const);
	const municipalityCode = account?.municipality_code ?? input.municipalityCode;
	const context = keptContext(body.context);
	const portalSeq = auditedSeq(item.seq);
	if ('action' in body) {
		audit.push({
			municipalityCode,
			actor,
			context,
			action: body.action,
			objectType: body.credential ? 'webauthn_credential' : undefined,
			objectId: body.credential,
			result: body.result,
			payload: {
				realm: 'resident',
				portalSeq,
				...(body.reason ? { reason: body.reason } : {}),
				...(body.counter !== undefined ? { counter: body.counter } : {}),
				...(body.ended ? { kind: body.ended } : {})
			}
		});
		return { outcome: 'applied', signedActId: null };
	}
	const now = new Date();
	if ('nickname' in body) {
		// Renamed unless revoked meanwhile (a revoked passkey keeps the name it had).
		if (
			await renameCredential(
				trx,
				{ realm: 'resident', id: account!.id },
				credential!.id,
				body.nickname
			)
		)
			audit.push({
				municipalityCode,
				actor,
				context,
				action: 'auth.credential_rename',
				objectType: 'webauthn_credential',
				objectId: credential!.id,
				result: 'ok',
				payload: { reportedBy: 'portal', portalSeq }
			});
		return { outcome: 'applied', signedActId: null };
	}
	if ('last' in body) {
		const revoked = await revokeCredential(
			trx,
			{ realm: 'resident', id: account!.id },
			credential!.id,
			'by_owner',
			now
		);
		// Revoked already (the same revocation sent twice, or by staff meanwhile): nothing more.
		if (revoked) {
			await notify(trx, {
				municipalityCode,
				accountId: account!.id,
				kind: 'passkey_revoked',
				portalUrl: `${input.rp.origin}/sign-in`,
				now
			});
			audit.push({
				municipalityCode,
				actor,
				context,
				action: 'auth.credential_revoke',
				objectType: 'webauthn_credential',
				objectId: credential!.id,
				result: 'ok',
				payload: { reason: 'by_owner', last: body.last, portalSeq }
			});
		}
		return { outcome: 'applied', signedActId: null };
	}
	const flagged = await trx
		.updateTable('webauthn_credential')
		.set(
			body.reason === 'counter_regression'
				? { flagged_at: now, flag_reason: 'counter_regression' }
				: { revoked_at: now, revoke_reason: 'too_many_failures' }
		)
		.where('id', '=', credential!.id)
		.where(body.reason === 'counter_regression' ? 'flagged_at' : 'revoked_at', 'is', null)
		.executeTakeFirst();
	if (flagged.numUpdatedRows === 1n && body.reason === 'counter_regression') {
		await notify(trx, {
			municipalityCode,
			accountId: account!.id,
			kind: 'passkey_flagged',
			now
		});
	}
	audit.push({
		municipalityCode,
		actor: { type: 'system', id: 'webauthn', role: 'system' },
		context,
		action: 'auth.credential_flag',
		objectType: 'webauthn_credential',
		objectId: credential!.id,
		result: 'ok',
		payload: { reason: body.reason, reportedBy: 'portal', portalSeq }
	});
	return { outcome: 'applied', signedActId: null };
}

/**
 * What each kind does once its item has verified. `savepoint` is called before the first write of
 * a kind that can still refuse after writing (a refusal then undoes only its own writes); a kind
 * that refuses only before it writes needs none.
 */
async function apply(
	trx: Executor,
	item: ListedItem,
	kind: ExchangeKind,
	input: { rp: ResidentRelyingParty; municipalityCode: string },
	reads: BatchReads,
	audit: AuditEvent[],
	savepoint: () => Promise<void>
): Promise<Decision> {
	if (isEnrolmentKind(kind)) {
		await savepoint();
		return applyEnrolment(trx, item, kind, input);
	}
	if (isAuthKind(kind)) return applyAuthItem(trx, item, kind, input, reads, audit);
	if (kind === 'verify_lookup') {
		// A verifier's look-up: its audit entry, appended with the batch's.
		const parsed = verifyLookupItemBody.safeParse(item.body);
		if (!parsed.success || item.residentAccountId !== null) refuse('malformed');
		const entry = await verifyLookupAudit(trx, parsed.data!, {
			context: keptContext(parsed.data!.context),
			fallbackMunicipality: input.municipalityCode,
			portalSeq: auditedSeq(item.seq)
		});
		if (!entry) refuse('malformed', 'a certificate this side does not have');
		audit.push(entry!);
		return { outcome: 'applied', signedActId: null };
	}
	if (kind === 'view') {
		// Writes nothing but its audit entries, appended with the batch's.
		const parsed = viewItemBody.safeParse(item.body);
		if (!parsed.success) refuse('malformed');
		const account = item.residentAccountId ? reads.accounts.get(item.residentAccountId) : undefined;
		if (!account) refuse('unknown_account');
		const { context, page, ...view } = parsed.data!;
		const reported = { ...view, context: keptContext(context), portalSeq: auditedSeq(item.seq) };
		audit.push(
			...(page === 'applications' || page === 'application'
				? await applicationViewAudits(trx, account!, { ...reported, page })
				: await portalViewAudits(trx, account!, { ...reported, page }))
		);
		return { outcome: 'applied', signedActId: null };
	}
	const verified = await verifiedAct(item, kind, input.rp, reads);
	const { act, account } = verified;
	switch (kind) {
		case 'consent': {
			let statement: unknown;
			try {
				statement = JSON.parse(act.payload);
			} catch {
				refuse('payload');
			}
			// The kind an item names is not signed; what was signed must say it is this statement,
			// or a signed submission relabelled by the portal would stand as a consent.
			if (!consentStatement.safeParse(statement).success) refuse('payload');
			const row = actRecord(item, verified, audit);
			reads.consents.push(row);
			return { outcome: 'applied', signedActId: row.id };
		}
		case 'submit':
		case 'withdraw':
		case 'desk_request': {
			// The act's entry goes into the chain before the entries of what it does (recorded as
			// they happen), so the log reads in the order things happened.
			const signedEntry: AuditEvent[] = [];
			await savepoint();
			const stored = await storeAct(trx, item, verified, signedEntry);
			await recordAudits(trx, signedEntry);
			const caller: ResidentCaller = {
				type: 'resident',
				id: account.id,
				municipalityCode: account.municipality_code,
				atenaNumber: account.atena_number,
				context: verified.context
			};
			let done: 'applied' | 'moved';
			try {
				done =
					kind === 'desk_request'
						? await takeInDeskRequest(trx, caller, { act: stored, now: new Date() })
						: await takeInTransition(trx, caller, {
								kind,
								act: stored,
								portalUrl: `${input.rp.origin}/sign-in`,
								now: new Date()
							});
			} catch (failure) {
				// Signed, but not what this kind signs: not the application as it stands here, not
				// one's own, not a request about oneself.
				if (
					(failure instanceof SubmissionError && failure.code === 'payload_mismatch') ||
					failure instanceof OnlineRequestError
				)
					refuse('payload');
				throw failure;
			}
			if (done === 'moved') throw new MovedOn();
			return { outcome: 'applied', signedActId: stored.id };
		}
		case 'passkey_add': {
			// Signed with a passkey this side confirmed, over the new one exactly as made; the new
			// one is verified again here before it is bound.
			let payload: unknown;
			try {
				payload = JSON.parse(act.payload);
			} catch {
				refuse('payload');
			}
			const addition = passkeyAddPayload.safeParse(payload);
			if (!addition.success || addition.data.account !== account.id) refuse('payload');
			const signedEntry: AuditEvent[] = [];
			await savepoint();
			const stored = await storeAct(trx, item, verified, signedEntry);
			await recordAudits(trx, signedEntry);
			try {
				const answer = await takeInPasskeyAddition(trx, {
					account,
					payload: addition.data!,
					rp: input.rp,
					portalSeq: auditedSeq(item.seq),
					context: verified.context,
					now: new Date()
				});
				return { outcome: 'applied', signedActId: stored.id, answer };
			} catch (failure) {
				if (failure instanceof RegistrationRefused) refuse(failure.code, failure.detail);
				throw failure;
			}
		}
	}
}

/**
 * Takes items in, in their order, in one transaction: each applied, or refused with the reason
 * kept and audited (a savepoint before the writes of a kind that can refuse after writing, so a
 * refusal undoes only its own writes; a consent, which refuses only before it writes, is written
 * with the batch's others in one statement). One commit for the lot: the audit chain is locked
 * and hashed once per batch instead of once per item. A fault
 * that is not a refusal (the database went away) rolls the whole batch back and throws: nothing
 * of it is acknowledged, and the next pull takes it again.
 */
export async function takeInAll(
	db: Database,
	input: {
		portal: string;
		items: readonly ListedItem[];
		rp: ResidentRelyingParty;
		/** The city whose chain a refusal is audited in (the served one). */
		municipalityCode: string;
		now: Date;
	}
): Promise<IntakeResult[]> {
	const { portal, now } = input;
	if (input.items.length === 0) return [];
	return db.transaction().execute(async (trx) => {
		const results: IntakeResult[] = [];
		// The batch's audit entries, appended together at the end: one chain append per commit.
		const audit: AuditEvent[] = [];
		const reads = await readBatch(trx, portal, input.items);
		const intake: Insertable<DB['exchange_intake']>[] = [];
		for (const item of input.items) {
			const earlier = reads.earlier.get(item.seq);
			if (earlier) {
				results.push({
					seq: item.seq,
					outcome: earlier.outcome as Outcome,
					already: true,
					...(earlier.answer ? { answer: earlier.answer as Record<string, unknown> } : {})
				});
				continue;
			}
			// The kind as kept and audited: what a kind can be spelt with, nothing the forger adds.
			const kindText = item.kind.replace(/[^a-z_]/g, '').slice(0, 40) || 'unknown';
			let decision: Decision;
			const kind = (exchangeKinds as readonly string[]).includes(item.kind)
				? (item.kind as ExchangeKind)
				: null;
			const itemAudit: AuditEvent[] = [];
			reads.pending = [];
			let marked = false;
			const savepoint = async () => {
				await trx.executeQuery(sql`SAVEPOINT item`.compile(trx));
				marked = true;
			};
			try {
				decision = kind
					? await apply(trx, item, kind, input, reads, itemAudit, savepoint)
					: refuse('unknown_kind', kindText);
				if (marked) await trx.executeQuery(sql`RELEASE SAVEPOINT item`.compile(trx));
				audit.push(...itemAudit);
				for (const nonce of reads.pending) reads.nonces.add(nonce);
			} catch (error) {
				if (!(error instanceof Refusal || error instanceof MovedOn)) throw error;
				// Whatever the handler wrote before it stopped goes; the outcome alone is kept.
				if (marked) await trx.executeQuery(sql`ROLLBACK TO SAVEPOINT item`.compile(trx));
				decision =
					error instanceof Refusal
						? { outcome: 'refused', code: error.code, reason: error.message }
						: { outcome: 'moved' };
			}
			intake.push({
				portal,
				seq: item.seq,
				kind: kindText,
				resident_account_id: item.residentAccountId,
				arrived_at: new Date(item.arrivedAt),
				taken_at: now,
				outcome: decision.outcome,
				refusal: decision.outcome === 'refused' ? decision.reason : null,
				signed_act_id: decision.outcome === 'applied' ? decision.signedActId : null,
				answer:
					decision.outcome === 'applied' && decision.answer ? JSON.stringify(decision.answer) : null
			});
			if (decision.outcome === 'refused') {
				audit.push({
					municipalityCode: input.municipalityCode,
					actor: { type: 'system', id: 'exchange', role: 'system' },
					action: 'exchange.refuse',
					objectType: 'exchange_item',
					objectId: auditedSeq(item.seq),
					result: 'denied',
					// The code alone: the audit log takes nothing the forger wrote.
					payload: { portal, kind: kindText, why: decision.code }
				});
			}
			results.push({
				seq: item.seq,
				outcome: decision.outcome,
				already: false,
				...(decision.outcome === 'applied' && decision.answer ? { answer: decision.answer } : {})
			});
		}
		if (reads.consents.length) await trx.insertInto('signed_act').values(reads.consents).execute();
		if (intake.length) await trx.insertInto('exchange_intake').values(intake).execute();
		const cities = [...new Set(audit.map((event) => event.municipalityCode))];
		for (const city of cities)
			await recordAudits(
				trx,
				audit.filter((event) => event.municipalityCode === city)
			);
		return results;
	});
}

/** One item taken in on its own (as after a crash, in the tests). */
export async function takeIn(
	db: Database,
	input: Omit<Parameters<typeof takeInAll>[1], 'items'> & { item: ListedItem }
): Promise<IntakeResult> {
	const [result] = await takeInAll(db, { ...input, items: [input.item] });
	return result!;
}
