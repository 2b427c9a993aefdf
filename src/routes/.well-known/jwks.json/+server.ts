// The municipality's public document-signing keys (JWKS), where SMART Health Card verifiers look
// for them: <issuer>/.well-known/jwks.json. Retired keys stay listed so older certificates verify.
import { json } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { publishedKeys } from '$lib/server/documents/signing-keys';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () =>
	json(await publishedKeys(db()), {
		headers: {
			// Verifier apps fetch this from other origins.
			'access-control-allow-origin': '*',
			'cache-control': 'public, max-age=300'
		}
	});
