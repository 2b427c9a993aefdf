import { fail, redirect } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '$lib/server/audit/record';
import { listCredentials, renameCredential, revokeCredential } from '$lib/server/auth/credentials';
import { addPasskeyWithinMinutes } from '$lib/server/auth/flows';
import { notify } from '$lib/server/notifications/notices';
import { residentActor } from '$lib/server/auth/http';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';
import { formOf } from '$lib/server/http/form';
import { isUuid } from '$lib/server/ids';

export const load: PageServerLoad = async ({ locals, url }) => {
	const resident = locals.resident!;
	const credentials = await listCredentials(db(), { realm: 'resident', id: resident.accountId });
	return {
		added: url.searchParams.has('added'),
		canAdd: Date.now() - resident.authenticatedAt.getTime() < addPasskeyWithinMinutes * 60_000,
		passkeys: credentials.map((credential) => ({
			id: credential.id,
			nickname: credential.nickname,
			createdAt: credential.created_at.toISOString(),
			lastUsedAt: credential.last_used_at?.toISOString() ?? null,
			synced: credential.backup_eligible,
			current: credential.id === resident.credentialId,
			revokedAt: credential.revoked_at?.toISOString() ?? null,
			flagged: credential.flagged_at !== null
		}))
	};
};

const owner = (locals: App.Locals) => ({
	realm: 'resident' as const,
	id: locals.resident!.accountId
});

export const actions: Actions = {
	rename: async ({ locals, request }) => {
		const form = await formOf(request);
		const id = String(form.get('id') ?? '');
		const nickname = String(form.get('nickname') ?? '').trim();
		if (!nickname || nickname.length > 60) {
			return fail(400, { id, nickname, message: m.passkey_name_invalid() });
		}
		if (!isUuid(id) || !(await renameCredential(db(), owner(locals), id, nickname))) {
			return fail(404, { id, nickname, message: m.passkey_not_found() });
		}
		await recordAudit(db(), {
			municipalityCode: locals.resident!.municipalityCode,
			actor: residentActor(locals),
			context: locals.audit,
			action: 'auth.credential_rename',
			objectType: 'webauthn_credential',
			objectId: id,
			result: 'ok'
		});
		return { renamed: id };
	},
	revoke: async ({ locals, request }) => {
		const form = await formOf(request);
		const id = String(form.get('id') ?? '');
		if (!isUuid(id)) return fail(404, { id, message: m.passkey_not_found() });
		const active = (await listCredentials(db(), owner(locals))).filter((c) => !c.revoked_at);
		// Revoking the last passkey locks the person out until they re-prove who they are; they
		// must say they understood that first.
		if (active.length === 1 && active[0]!.id === id && form.get('confirm_last') !== 'yes') {
			return fail(409, { id, confirmLast: true, message: m.passkey_last_confirm() });
		}
		const revoked = await db()
			.transaction()
			.execute(async (trx) => {
				const row = await revokeCredential(trx, owner(locals), id, 'by_owner', new Date());
				if (row) {
					await notify(trx, {
						municipalityCode: locals.resident!.municipalityCode,
						accountId: locals.resident!.accountId,
						kind: 'passkey_revoked',
						portalUrl: `${config().origin}/sign-in`,
						now: new Date()
					});
					await recordAudit(trx, {
						municipalityCode: locals.resident!.municipalityCode,
						actor: residentActor(locals),
						context: locals.audit,
						action: 'auth.credential_revoke',
						objectType: 'webauthn_credential',
						objectId: id,
						result: 'ok',
						payload: { reason: 'by_owner', last: active.length === 1 }
					});
				}
				return row;
			});
		if (!revoked) return fail(404, { id, message: m.passkey_not_found() });
		// Revoking the key this session was opened with ends this session too.
		if (revoked.id === locals.resident!.credentialId) redirect(303, '/sign-in?signed_out=1');
		return { revoked: id };
	}
};
