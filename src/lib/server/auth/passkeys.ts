// A resident's own passkeys on the portal zone (issue 27, docs/zones.md § "The passkeys page"):
// the list as the back office published it with the portal's own use of each, a new name, a
// passkey revoked, and a passkey added — made with options this portal gives, then confirmed by an
// act signed with a passkey the account already has, which the back office verifies again before
// it binds the new one. What the portal writes travels as items; the back office audits them.
import { randomBytes } from 'node:crypto';
import { m } from '$lib/paraglide/messages';
import { requireResident, type Caller } from '../audit/caller';
import { DomainError } from '../errors';
import { isUuid } from '../ids';
import { config } from '../config';
import { portalZoneDb, type PortalZoneExecutor } from '../db';
import { publishedCity } from '../municipality/projection';
import { servedMunicipality } from '../municipality/served';
import { addItem } from '../zone/items';
import { projectedCredentialsOf, projectedView } from '../zone/projection';
import { passkeyRenameItemBody, type CredentialView, type PasskeyAddPayload } from '../zone/shapes';
import { AuthFailure } from './failures';
import { addPasskeyChallenge, addPasskeyWithinMinutes, policyOf } from './registration';
import { relyingParty } from './relying-party';
import { signingOptions } from './signing';
import {
	checkRegistration,
	consumeChallenge,
	parseClientData,
	parseRegistrationResponse,
	registrationOptions,
	type RegistrationPolicy,
	type RelyingParty
} from './webauthn';

export type PasskeyRefusal = 'name_invalid' | 'not_found' | 'last_passkey';

export class PasskeyError extends DomainError<PasskeyRefusal> {
	protected readonly messages = {
		name_invalid: m.passkey_name_invalid,
		not_found: m.passkey_not_found,
		last_passkey: m.passkey_last_confirm
	};
}

/** A passkey added on the portal, on its way to the back office or not confirmed there. */
export type PasskeyAddition = { state: 'sent' | 'refused'; at: string };

/**
 * The account's passkeys as published, with what the portal knows of each before the back office
 * has taken it in (a revocation, a new name) and its own record of their use; which one this
 * session was opened with; whether one may be added; additions still on their way, or refused in
 * the last day.
 * @audit none — the account's own authenticators (names and dates), shown to their holder only.
 */
export async function ownPasskeys(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { currentCredentialId: string; signedInAt: Date; now?: Date }
) {
	requireResident(caller);
	const now = input.now ?? new Date();
	const published = await projectedCredentialsOf(zone, caller.id);
	const ids = published.map((credential) => credential.id);
	const [uses, items] = await Promise.all([
		ids.length
			? zone
					.selectFrom('credential_use')
					.select(['credential_id', 'last_used_at', 'revoked_at', 'flagged_at'])
					.where('credential_id', 'in', ids)
					.execute()
			: [],
		zone
			.selectFrom('exchange_item')
			.select(['kind', 'body', 'outcome', 'arrived_at'])
			.where('resident_account_id', '=', caller.id)
			.where('kind', 'in', ['passkey_rename', 'passkey_add'])
			.where((eb) =>
				eb.or([
					eb('taken_at', 'is', null),
					eb('arrived_at', '>', new Date(now.getTime() - 86_400_000))
				])
			)
			.orderBy('seq')
			.execute()
	]);
	const use = new Map(uses.map((row) => [row.credential_id, row]));
	// Names given here and not taken in yet: the newest for each passkey.
	const renamed = new Map<string, string>();
	for (const item of items) {
		if (item.kind !== 'passkey_rename' || item.outcome !== null) continue;
		const body = passkeyRenameItemBody.safeParse(item.body);
		if (body.success) renamed.set(body.data.credential, body.data.nickname);
	}
	const lastAddition = items.filter((item) => item.kind === 'passkey_add').at(-1);
	const byAge = (a: CredentialView, b: CredentialView) => a.createdAt.localeCompare(b.createdAt);
	return {
		canAdd: now.getTime() - input.signedInAt.getTime() < addPasskeyWithinMinutes * 60_000,
		passkeys: [...published].sort(byAge).map((credential) => {
			const own = use.get(credential.id);
			return {
				id: credential.id,
				nickname: renamed.get(credential.id) ?? credential.nickname,
				createdAt: credential.createdAt,
				lastUsedAt: own?.last_used_at?.toISOString() ?? null,
				synced: credential.backupEligible,
				current: credential.id === input.currentCredentialId,
				revokedAt: credential.revokedAt ?? own?.revoked_at?.toISOString() ?? null,
				flagged: credential.flagged || (own?.flagged_at ?? null) !== null
			};
		}),
		addition:
			lastAddition && lastAddition.outcome !== 'applied'
				? ({
						state: lastAddition.outcome === null ? 'sent' : 'refused',
						at: lastAddition.arrived_at.toISOString()
					} satisfies PasskeyAddition)
				: null
	};
}

/**
 * The account's passkeys as published that are not revoked, here or inside; `usable`: nor flagged
 * (those may sign and be named; a flagged one may still be revoked).
 */
async function activePasskeys(zone: PortalZoneExecutor, accountId: string, usable: boolean) {
	const published = await projectedCredentialsOf(zone, accountId);
	if (published.length === 0) return [];
	const stopped = await zone
		.selectFrom('credential_use')
		.select('credential_id')
		.where(
			'credential_id',
			'in',
			published.map((credential) => credential.id)
		)
		.where((eb) =>
			usable
				? eb.or([eb('revoked_at', 'is not', null), eb('flagged_at', 'is not', null)])
				: eb('revoked_at', 'is not', null)
		)
		.execute();
	const here = new Set(stopped.map((row) => row.credential_id));
	return published.filter(
		(credential) =>
			credential.revokedAt === null && !(usable && credential.flagged) && !here.has(credential.id)
	);
}

/**
 * A new name for one of the account's passkeys: shown at once, and sent to the back office, which
 * renames its own row, audits it and publishes it.
 * @audit reported — a 'passkey_rename' item, audited as auth.credential_rename when taken in
 */
export async function renamePasskey(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string; nickname: string; now?: Date }
): Promise<void> {
	requireResident(caller);
	const body = passkeyRenameItemBody.safeParse({
		credential: input.id,
		nickname: input.nickname,
		...(caller.context ? { context: caller.context } : {})
	});
	if (!body.success) {
		throw body.error.issues.some((issue) => issue.path[0] === 'nickname')
			? new PasskeyError('name_invalid', 400)
			: new PasskeyError('not_found', 404);
	}
	const own = await activePasskeys(zone, caller.id, true);
	if (!own.some((credential) => credential.id === input.id))
		throw new PasskeyError('not_found', 404);
	await addItem(zone, {
		kind: 'passkey_rename',
		resident_account_id: caller.id,
		body: JSON.stringify(body.data),
		arrived_at: input.now ?? new Date(),
		object_id: null
	});
}

/**
 * Revokes one of the account's passkeys on the portal zone: it stops working here at once, the
 * sessions it opened end, and the revocation travels to the back office as an item, which revokes
 * its own row, tells the resident and publishes it (the audit entry is written there). Revoking
 * the last one locks the person out until they prove who they are again, so they must say they
 * understood.
 * @audit reported — a 'passkey_revoke' item, audited as auth.credential_revoke when taken in
 */
export async function revokePasskey(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string; lastUnderstood: boolean; now?: Date }
): Promise<{ id: string }> {
	requireResident(caller);
	const now = input.now ?? new Date();
	if (!isUuid(input.id)) throw new PasskeyError('not_found', 404);
	const active = await activePasskeys(zone, caller.id, false);
	const target = active.find((credential) => credential.id === input.id);
	if (!target) throw new PasskeyError('not_found', 404);
	const last = active.length === 1;
	if (last && !input.lastUnderstood) throw new PasskeyError('last_passkey', 409);
	await zone.transaction().execute(async (trx) => {
		await trx
			.insertInto('credential_use')
			.values({ credential_id: target.id, sign_count: String(target.signCount), revoked_at: now })
			.onConflict((conflict) => conflict.column('credential_id').doUpdateSet({ revoked_at: now }))
			.execute();
		await addItem(trx, {
			kind: 'passkey_revoke',
			resident_account_id: caller.id,
			body: JSON.stringify({
				credential: target.id,
				last,
				...(caller.context ? { context: caller.context } : {})
			}),
			arrived_at: now,
			object_id: target.id
		});
		await trx
			.deleteFrom('resident_session')
			.where('credential_id', '=', target.id)
			.where('resident_account_id', '=', caller.id)
			.execute();
	});
	return { id: target.id };
}

/** A signed-in resident may add a passkey only minutes after proving who they are. */
function requireRecentSignIn(signedInAt: Date, now: Date) {
	if (now.getTime() - signedInAt.getTime() > addPasskeyWithinMinutes * 60_000)
		throw new AuthFailure('enrolment_missing', 'sign-in too old to add a passkey');
}

/**
 * Options to make another passkey for the signed-in account: its user handle and name as
 * published, its passkeys excluded, the city's policy as published, and a challenge derived from
 * the account and a nonce kept with it here (`addPasskeyChallenge`).
 * @audit none — the resident's own options; a failed step is reported by the ceremony
 */
export async function addPasskeyOptions(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { ceremonyHash: Buffer; signedInAt: Date; city: PortalCity; now?: Date }
) {
	requireResident(caller);
	const now = input.now ?? new Date();
	requireRecentSignIn(input.signedInAt, now);
	// One that may sign is needed to confirm the new one; a flagged one is still excluded, so the
	// same authenticator is not offered again.
	const [active, usable, view] = await Promise.all([
		activePasskeys(zone, caller.id, false),
		activePasskeys(zone, caller.id, true),
		projectedView(zone, caller.id, caller.municipalityCode)
	]);
	const self = view.account?.people.find((person) => person.relation === 'self');
	if (usable.length === 0 || !self) throw new AuthFailure('enrolment_missing', 'not published');
	const nonce = randomBytes(32);
	return registrationOptions(zone, input.city.rp, {
		realm: 'resident',
		ceremonyHash: input.ceremonyHash,
		subjectId: caller.id,
		userHandle: Buffer.from(usable[0]!.userHandle, 'base64url'),
		// Shown by the authenticator's account picker on this person's own device only.
		userName: self.nameKanji,
		displayName: self.nameKanji,
		exclude: active.map((credential) => ({
			credential_id: credential.credentialId,
			transports: credential.transports
		})),
		policy: input.city.policy,
		derived: { challenge: addPasskeyChallenge(caller.id, nonce), nonce },
		now
	});
}

/**
 * The passkey the browser made with those options: checked here (its challenge taken out, the
 * portal's origin, the city's policy; a mistake is said at once), then answered with the options
 * to confirm it with a passkey the account already has — an act over the new passkey exactly as
 * made, which the back office verifies before it binds it.
 * @audit none here — a failed check is reported by the ceremony step; the back office audits the
 * passkey it confirms or refuses
 */
export async function confirmationOptions(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: {
		ceremonyHash: Buffer;
		response: unknown;
		locale: 'ja' | 'en';
		signedInAt: Date;
		city: PortalCity;
		now?: Date;
	}
) {
	requireResident(caller);
	const now = input.now ?? new Date();
	requireRecentSignIn(input.signedInAt, now);
	const response = parseRegistrationResponse(input.response);
	const challenge = await consumeChallenge(
		zone,
		parseClientData(response.response.clientDataJSON).challenge,
		{ realm: 'resident', purpose: 'register', ceremonyHash: input.ceremonyHash },
		now
	);
	if (challenge.subject_id !== caller.id || !challenge.nonce)
		throw new AuthFailure('challenge_mismatch', 'registration challenge of another account');
	await checkRegistration(input.city.rp, {
		response,
		challenge: challenge.challenge,
		policy: input.city.policy
	});
	const payload: PasskeyAddPayload = {
		act: 'passkey_add',
		account: caller.id,
		registration: response as unknown as Record<string, unknown>,
		nonce: challenge.nonce.toString('base64url'),
		locale: input.locale
	};
	const own = await activePasskeys(zone, caller.id, true);
	const { options } = await signingOptions(zone, input.city.rp, {
		accountId: caller.id,
		kind: 'passkey_add',
		payload,
		ceremonyHash: input.ceremonyHash,
		credentials: own.map((credential) => ({
			credential_id: credential.credentialId,
			transports: credential.transports
		})),
		now
	});
	return options;
}

/** The portal's relying party and the city's passkey policy as published, for adding a passkey. */
export type PortalCity = { rp: RelyingParty; policy: RegistrationPolicy };

/**
 * The served city as the portal reads it for registering a passkey (an enrolment's, or one added
 * while signed in): its policy read fresh from the publication, not through the minute's cache of
 * the settings every page reads, so a policy the city changed applies to the next registration
 * once published (the back office checks it again as it stands).
 */
export async function portalCity(): Promise<PortalCity> {
	const city =
		(await publishedCity(portalZoneDb(), config().municipalityCode)) ??
		(await servedMunicipality());
	return { rp: relyingParty(city, 'resident'), policy: policyOf(city, 'resident') };
}
