// The generic signing endpoint signs only acts whose payload the browser may name (issue 24, low).
import { describe, expect, it } from 'vitest';
import { AuthFailure } from './failures';
import { actFromBody } from './signed-acts';
import { signedActKinds } from './signing';

describe('actFromBody', () => {
	it('takes a consent with its payload', async () => {
		await expect(actFromBody({ kind: 'consent', payload: { share: true } })).resolves.toEqual({
			kind: 'consent',
			payload: { share: true }
		});
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
