// The municipality's public document-signing keys (JWKS), where SMART Health Card verifiers look
// for them: <issuer>/.well-known/jwks.json, the issuer being the portal. Retired keys stay listed so
// older certificates verify. As the back office published them (issue 27).
import { json } from '@sveltejs/kit';
import { signingKeys } from '$lib/server/documents/verify';
import { asPublicInPortalZone } from '$lib/server/http/caller';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals }) =>
	json(await signingKeys(...(await asPublicInPortalZone(locals))), {
		headers: {
			// Verifier apps fetch this from other origins.
			'access-control-allow-origin': '*',
			'cache-control': 'public, max-age=300'
		}
	});
