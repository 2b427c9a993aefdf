// The generic signing endpoint signs only acts whose payload the browser may name (issue 24, low),
// and a consent only over its statement (issue 27: the back office checks the same).
import { describe, expect, it } from 'vitest';
import { AuthFailure } from './failures';
import { actFromBody } from './signed-acts';
import { signedActKinds } from './signing';

describe('actFromBody', () => {
	const statement = {
		statement: 'electronic_notices',
		text: '電子でのお知らせに同意します。',
		locale: 'ja',
		shown_at: '2026-12-07T09:00:00.000+09:00'
	};

	it('takes a consent with its statement', async () => {
		await expect(actFromBody({ kind: 'consent', payload: statement })).resolves.toEqual({
			kind: 'consent',
			payload: statement
		});
	});

	it('refuses a consent over anything but the statement (what is signed says what it is)', async () => {
		for (const payload of [
			{ share: true },
			{ ...statement, statement: 'paper_notices' },
			{ ...statement, locale: 'fr' },
			{ ...statement, application_id: 'x' },
			{ ...statement, text: '' }
		]) {
			await expect(actFromBody({ kind: 'consent', payload })).rejects.toBeInstanceOf(AuthFailure);
		}
	});

	it('refuses every kind that has its own endpoint, an unknown kind and a missing payload', async () => {
		for (const kind of [...signedActKinds.filter((kind) => kind !== 'consent'), 'other']) {
			await expect(
				actFromBody({ kind, payload: { applicationId: 'x' } }),
				kind
			).rejects.toBeInstanceOf(AuthFailure);
		}
		await expect(actFromBody({ kind: 'consent' })).rejects.toBeInstanceOf(AuthFailure);
		await expect(actFromBody(null)).rejects.toBeInstanceOf(AuthFailure);
	});
});
