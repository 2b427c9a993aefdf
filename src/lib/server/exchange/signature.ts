// The exchange's requests are signed by the back office (HTTP Message Signatures, RFC 9421, with
// Ed25519) and verified by the portal, which holds only the public key (docs/zones.md). Covered:
// the method, the path and query, and the body's digest (RFC 9530); the parameters carry the
// time (a signature is good for a minute), a nonce the portal keeps for that minute so the same
// request is not accepted twice, and the key id. The library is http-message-signatures (README,
// design: the RFC's canonicalisation is easy to get subtly wrong by hand).
import { createHash, randomBytes, sign, verify as verifySignature } from 'node:crypto';
import { httpbis } from 'http-message-signatures';
import type { Ed25519Signer, PublicKeys } from '../crypto/ed25519';

/** How long a signed request is good for, and how far the two clocks may disagree. */
export const signatureLifetimeSeconds = 60;
export const clockToleranceSeconds = 5;

const coveredComponents = ['@method', '@path', '@query', 'content-digest'];
const requiredParameters = ['created', 'expires', 'nonce', 'keyid', 'alg'];

export function contentDigest(body: string): string {
	return `sha-256=:${createHash('sha256').update(body, 'utf8').digest('base64')}:`;
}

/** The headers that sign a request to `url` with `body` (empty for a GET). */
export async function signedHeaders(
	signer: Ed25519Signer,
	request: { method: string; url: string; body: string },
	now = new Date()
): Promise<Record<string, string>> {
	const created = new Date(Math.floor(now.getTime() / 1000) * 1000);
	const signed = await httpbis.signMessage(
		{
			key: {
				id: signer.id,
				alg: 'ed25519',
				sign: async (data) => sign(null, data, signer.privateKey)
			},
			fields: coveredComponents,
			params: requiredParameters,
			paramValues: {
				created,
				expires: new Date(created.getTime() + signatureLifetimeSeconds * 1000),
				nonce: randomBytes(24).toString('base64url')
			}
		},
		{
			method: request.method,
			url: request.url,
			headers: { 'content-digest': contentDigest(request.body) }
		}
	);
	return Object.fromEntries(
		Object.entries(signed.headers).map(([name, value]) => [
			name.toLowerCase(),
			Array.isArray(value) ? value.join(', ') : value
		])
	);
}

export type SignatureVerdict =
	{ ok: true; nonce: string; keyId: string } | { ok: false; reason: string };

/**
 * Checks a request's signature under one of `keys`, its freshness and its body's digest. The
 * nonce it returns must then be recorded once (the caller's table), which refuses a replay.
 */
export async function verifySignedRequest(
	keys: PublicKeys,
	request: { method: string; url: string; headers: Headers; body: string },
	now = new Date()
): Promise<SignatureVerdict> {
	const headers: Record<string, string> = {};
	request.headers.forEach((value, name) => (headers[name] = value));
	if (!headers['signature'] || !headers['signature-input'])
		return { ok: false, reason: 'unsigned' };
	if (headers['content-digest'] !== contentDigest(request.body)) {
		return { ok: false, reason: 'content digest' };
	}
	let nonce: string | undefined;
	let keyId: string | undefined;
	try {
		const verified = await httpbis.verifyMessage(
			{
				keyLookup: async (parameters) => {
					const key = parameters.keyid ? keys.get(parameters.keyid) : undefined;
					if (!key || parameters.alg !== 'ed25519') return null;
					nonce = typeof parameters.nonce === 'string' ? parameters.nonce : undefined;
					keyId = parameters.keyid;
					return {
						id: parameters.keyid,
						algs: ['ed25519'],
						verify: async (data, signature) => verifySignature(null, data, key, signature)
					};
				},
				requiredFields: coveredComponents,
				requiredParams: requiredParameters,
				maxAge: signatureLifetimeSeconds,
				tolerance: clockToleranceSeconds,
				notAfter: Math.floor(now.getTime() / 1000) + clockToleranceSeconds
			},
			{ method: request.method, url: request.url, headers }
		);
		if (verified !== true || !nonce || !keyId) return { ok: false, reason: 'signature' };
		if (nonce.length < 16 || nonce.length > 128) return { ok: false, reason: 'nonce' };
		return { ok: true, nonce, keyId };
	} catch (error) {
		return { ok: false, reason: (error as Error).name || 'signature' };
	}
}
