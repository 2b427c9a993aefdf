// Browser side of the two ceremonies: ask the server for options, let the authenticator do its
// part (with the person's PIN or biometrics), send the result back. The server decides everything.
import {
	browserSupportsWebAuthn,
	startAuthentication,
	startRegistration,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON
} from '@simplewebauthn/browser';

export type CeremonyResult =
	| { ok: true; body: Record<string, unknown> }
	| {
			ok: false;
			message: string | null;
			cancelled: boolean;
			/** The server says the thing has moved on (sent or withdrawn already): nothing to sign. */
			moved?: boolean;
	  };

async function post(url: string, body: unknown): Promise<Response> {
	return fetch(url, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
		body: JSON.stringify(body ?? {})
	});
}

async function failure(response: Response): Promise<CeremonyResult> {
	const body = await response.json().catch(() => ({}));
	return {
		ok: false,
		message: typeof body.message === 'string' ? body.message : null,
		cancelled: false,
		moved: body.moved === true
	};
}

function cancelled(error: unknown): CeremonyResult {
	// NotAllowedError: the person closed the prompt or it timed out. Nothing was sent.
	const name = (error as Error)?.name;
	return {
		ok: false,
		message: null,
		cancelled: name === 'NotAllowedError' || name === 'AbortError'
	};
}

export { browserSupportsWebAuthn };

export async function register(base: string): Promise<CeremonyResult> {
	const optionsResponse = await post(`${base}/register/options`, {});
	if (!optionsResponse.ok) return failure(optionsResponse);
	const optionsJSON = (await optionsResponse.json()) as PublicKeyCredentialCreationOptionsJSON;
	let attestation;
	try {
		attestation = await startRegistration({ optionsJSON });
	} catch (error) {
		return cancelled(error);
	}
	const verify = await post(`${base}/register/verify`, attestation);
	return verify.ok ? { ok: true, body: await verify.json() } : failure(verify);
}

/**
 * Step two of adding a passkey while signed in: confirm the passkey just made with one the account
 * already has, over the options the server answered the new passkey with.
 */
export async function confirmWith(
	optionsJSON: PublicKeyCredentialRequestOptionsJSON,
	verifyUrl: string
): Promise<CeremonyResult> {
	let assertion;
	try {
		assertion = await startAuthentication({ optionsJSON });
	} catch (error) {
		return cancelled(error);
	}
	const verify = await post(verifyUrl, assertion);
	return verify.ok ? { ok: true, body: await verify.json() } : failure(verify);
}

export async function authenticate(
	optionsUrl: string,
	verifyUrl: string,
	request: unknown = {},
	useBrowserAutofill = false
): Promise<CeremonyResult> {
	const optionsResponse = await post(optionsUrl, request);
	if (!optionsResponse.ok) return failure(optionsResponse);
	const optionsJSON = (await optionsResponse.json()) as PublicKeyCredentialRequestOptionsJSON;
	let assertion;
	try {
		assertion = await startAuthentication({ optionsJSON, useBrowserAutofill });
	} catch (error) {
		return cancelled(error);
	}
	const verify = await post(verifyUrl, assertion);
	return verify.ok ? { ok: true, body: await verify.json() } : failure(verify);
}
