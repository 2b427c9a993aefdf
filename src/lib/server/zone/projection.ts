// The projection as the portal keeps it (issue 27, docs/zones.md): written only by the back
// office's signed publication, read by the resident's pages. A row is replaced only by a higher
// version, so a publication sent twice, or overtaken by a later one, changes nothing.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { z } from 'zod';
import type { PortalZoneExecutor } from '../db';
import {
	accessView,
	accountView,
	applicationView,
	catalogueView,
	credentialView,
	documentView,
	type AccessView,
	type AccountView,
	type ApplicationView,
	type DocumentView,
	type CatalogueView,
	type CredentialView,
	type ProjectionChange,
	type ProjectionTopic
} from './shapes';

/** Applies a publication; answers how many rows it changed (an old or repeated one: none). */
export async function applyProjection(
	zone: PortalZoneExecutor,
	changes: readonly ProjectionChange[],
	now: Date
): Promise<number> {
	if (changes.length === 0) return 0;
	// The highest version of each row in the batch (a batch names a row once, but need not).
	const latest = new Map<string, ProjectionChange>();
	for (const change of changes) {
		const id = `${change.topic}\u0000${change.key}`;
		const seen = latest.get(id);
		if (!seen || BigInt(seen.version) < BigInt(change.version)) latest.set(id, change);
	}
	const rows = [...latest.values()].map((change) => ({
		topic: change.topic,
		key: change.key,
		version: change.version,
		body: change.body === null ? null : JSON.stringify(change.body),
		received_at: now,
		expires_at: expiryOf(change)
	}));
	const result = await zone
		.insertInto('projection')
		.values(rows)
		.onConflict((conflict) =>
			conflict
				.columns(['topic', 'key'])
				.doUpdateSet({
					version: (eb) => eb.ref('excluded.version'),
					body: (eb) => eb.ref('excluded.body'),
					received_at: (eb) => eb.ref('excluded.received_at'),
					expires_at: (eb) => eb.ref('excluded.expires_at')
				})
				.where('projection.version', '<', sql<string>`excluded.version`)
		)
		.executeTakeFirst();
	// A document released for a limited time is not kept past it: the zone the internet reaches
	// holds nothing it no longer needs (the back office keeps the original).
	await zone
		.updateTable('projection')
		.set({ body: null, expires_at: null })
		.where('expires_at', '<=', now)
		.execute();
	await endSessionsOfUnusable(zone, [...latest.values()]);
	return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * A passkey published revoked or flagged, or whose holder may no longer sign in (moved out,
 * died): the sessions it opened end now, as they did when the back office's own row changed.
 */
async function endSessionsOfUnusable(
	zone: PortalZoneExecutor,
	changes: readonly ProjectionChange[]
): Promise<void> {
	const unusable = changes.flatMap((change) => {
		if (change.topic !== 'credential') return [];
		const parsed = credentialView.safeParse(change.body);
		return parsed.success &&
			(parsed.data.revokedAt !== null || parsed.data.flagged || !parsed.data.active)
			? [parsed.data.id]
			: [];
	});
	if (unusable.length > 0)
		await zone.deleteFrom('resident_session').where('credential_id', 'in', unusable).execute();
}

function expiryOf(change: ProjectionChange): Date | null {
	if (change.topic !== 'document' || change.body === null) return null;
	const parsed = documentView.safeParse(change.body);
	return parsed.success && parsed.data.availableUntil ? new Date(parsed.data.availableUntil) : null;
}

/** A released document's file as published, or null (not published, or no longer available). */
export async function projectedDocumentFile(
	zone: PortalZoneExecutor,
	documentId: string,
	now: Date
): Promise<DocumentView | null> {
	const file = await publishedBody(zone, 'document', documentId, documentView);
	const until = file?.availableUntil;
	return until && Date.parse(until) <= now.getTime() ? null : file;
}

/**
 * What a resident's page shows, as last published, in one read: the account's view (null when
 * none is published yet, or any more, or it cannot be read) and the city's catalogue (empty until
 * it is published).
 */
export async function projectedView(
	zone: PortalZoneExecutor,
	accountId: string,
	municipalityCode: string
): Promise<{ account: AccountView | null; catalogue: CatalogueView['doses'] }> {
	const rows = await zone
		.selectFrom('projection')
		.select(['topic', 'body'])
		.where((eb) =>
			eb.or([
				eb.and([eb('topic', '=', 'account'), eb('key', '=', accountId)]),
				eb.and([eb('topic', '=', 'catalogue'), eb('key', '=', municipalityCode)])
			])
		)
		.execute();
	const of = (topic: string) => rows.find((row) => row.topic === topic)?.body ?? null;
	const account = accountView.safeParse(of('account'));
	const catalogue = catalogueView.safeParse(of('catalogue'));
	return {
		account: account.success ? account.data : null,
		catalogue: catalogue.success ? catalogue.data.doses : []
	};
}

/** A topic's row as published and read by its shape, or null (none, emptied, or unreadable). */
export async function publishedBody<Shape extends z.ZodTypeAny>(
	zone: PortalZoneExecutor,
	topic: ProjectionTopic,
	key: string,
	shape: Shape
): Promise<z.infer<Shape> | null> {
	const row = await zone
		.selectFrom('projection')
		.select('body')
		.where('topic', '=', topic)
		.where('key', '=', key)
		.executeTakeFirst();
	const parsed = shape.safeParse(row?.body ?? null);
	return parsed.success ? parsed.data : null;
}

/** A sent application's page as published, or null (not published, a draft, or unreadable). */
export const projectedApplication = (
	zone: PortalZoneExecutor,
	applicationId: string
): Promise<ApplicationView | null> =>
	publishedBody(zone, 'application', applicationId, applicationView);

/** An account's access logs as published, or null (not published yet, or unreadable). */
export const projectedAccess = (
	zone: PortalZoneExecutor,
	accountId: string
): Promise<AccessView | null> => publishedBody(zone, 'access', accountId, accessView);

/** The projection's key of a credential: the SHA-256 of its WebAuthn id, base64url. */
export const credentialKeyOf = (credentialId: string): string =>
	createHash('sha256').update(credentialId).digest('base64url');

/** A resident's passkey as the back office published it, by its WebAuthn id; null: unknown. */
export async function projectedCredential(
	zone: PortalZoneExecutor,
	credentialId: string
): Promise<CredentialView | null> {
	const view = await publishedBody(
		zone,
		'credential',
		credentialKeyOf(credentialId),
		credentialView
	);
	// A body filed under another id's key is not this credential's (the key is only a digest).
	return view?.credentialId === credentialId ? view : null;
}

/** The account's passkeys as published, revoked and flagged ones included. */
export async function projectedCredentialsOf(
	zone: PortalZoneExecutor,
	accountId: string
): Promise<CredentialView[]> {
	const rows = await zone
		.selectFrom('projection')
		.select('body')
		.where('topic', '=', 'credential')
		.where(sql<string>`body->>'account'`, '=', accountId)
		.execute();
	return rows.flatMap((row) => {
		const parsed = credentialView.safeParse(row.body);
		return parsed.success && parsed.data.account === accountId ? [parsed.data] : [];
	});
}
