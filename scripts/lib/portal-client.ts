// A resident's browser, in Node: a cookie jar, the same form posts and JSON ceremonies the portal's
// pages make, and a software passkey (tests/support/soft-authenticator) that signs what the server
// asks. The load benchmark and the fault scripts drive the built app with it over loopback, so
// every request runs the app's real paths (CSRF origin check, sessions, signing, audit).
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { softAssertion, type SoftCredential } from '../../tests/support/soft-authenticator';

export class PortalError extends Error {
	override name = 'PortalError';
	constructor(
		readonly status: number,
		readonly body: string,
		readonly retryAfter: string | null,
		what: string
	) {
		super(`${what}: HTTP ${status}`);
	}
}

export type Submission = { applicationId: string; startKey: string };

export class PortalClient {
	/** Signed submissions sent and not yet answered, across all clients (faults aim at them). */
	static submitting = 0;
	private readonly cookies = new Map<string, string>();
	/** A phone's own keep-alive connections (a browser opens up to six per origin). */
	private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 6 });

	constructor(
		/** Where to connect (the app listens on loopback). */
		private readonly base: string,
		/** The deployment's public origin: what a browser sends as Origin and signs as clientData. */
		private readonly origin: string,
		private readonly rpId: string,
		/** The resident's passkey; unset for a member of staff signed in by useCookies. */
		private readonly credential?: SoftCredential,
		/** The phone's own address, sent as X-Forwarded-For (for an app told to trust it). */
		private readonly address?: string
	) {}

	/** Takes over a session made elsewhere (a Cookie header), e.g. a member of staff's. */
	useCookies(header: string): this {
		for (const pair of header.split(/;\s*/)) {
			const at = pair.indexOf('=');
			if (at > 0) this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
		}
		return this;
	}

	/** The cookies this browser holds, as a Cookie header (for a scanner to sign in with). */
	cookieHeader(): string {
		return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
	}

	async request(path: string, init: RequestInit = {}): Promise<Response> {
		const headers = new Headers(init.headers);
		headers.set('origin', this.origin);
		if (!headers.has('accept')) headers.set('accept', 'text/html');
		if (this.cookies.size) headers.set('cookie', this.cookieHeader());
		if (this.address) headers.set('x-forwarded-for', this.address);
		const response = await this.send(this.base + path, {
			method: init.method ?? 'GET',
			headers,
			body: typeof init.body === 'string' ? init.body : undefined,
			signal: init.signal ?? AbortSignal.timeout(30_000)
		});
		for (const line of response.headers.getSetCookie()) {
			const [pair] = line.split(';');
			const at = pair!.indexOf('=');
			const name = pair!.slice(0, at);
			const value = pair!.slice(at + 1);
			if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
			else this.cookies.set(name, value);
		}
		return response;
	}

	/**
	 * One request over node:http, the answer read whole; redirects are not followed. Not fetch: in
	 * the load benchmark the generator shares the app's two cores, and fetch (undici, web streams)
	 * cost it two to three times the CPU per request.
	 */
	private send(
		url: string,
		init: { method: string; headers: Headers; body?: string; signal: AbortSignal }
	): Promise<Response> {
		return new Promise((resolve, reject) => {
			const request = http.request(
				url,
				{
					method: init.method,
					headers: Object.fromEntries(init.headers),
					agent: this.agent,
					signal: init.signal
				},
				(incoming) => {
					const chunks: Buffer[] = [];
					incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
					incoming.on('error', reject);
					incoming.on('end', () => {
						const status = incoming.statusCode ?? 0;
						const headers = new Headers();
						for (const [name, values] of Object.entries(incoming.headersDistinct))
							for (const value of values ?? []) headers.append(name, value);
						const empty = status === 204 || status === 304 || init.method === 'HEAD';
						resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
					});
				}
			);
			request.on('error', reject);
			request.end(init.body);
		});
	}

	private async expect(response: Response, what: string, ok: (status: number) => boolean) {
		if (ok(response.status)) return response;
		throw new PortalError(
			response.status,
			await response.text().catch(() => ''),
			response.headers.get('retry-after'),
			what
		);
	}

	private async json(path: string, body: unknown, what: string): Promise<Record<string, unknown>> {
		const response = await this.expect(
			await this.request(path, {
				method: 'POST',
				headers: { 'content-type': 'application/json', accept: 'application/json' },
				body: JSON.stringify(body)
			}),
			what,
			(status) => status === 200
		);
		return (await response.json()) as Record<string, unknown>;
	}

	private async sign(
		optionsPath: string,
		verifyPath: string,
		what: string,
		counted = false,
		body: unknown = {}
	) {
		if (!this.credential) throw new Error(`${what}: this client holds no passkey`);
		const options = await this.json(optionsPath, body, `${what} options`);
		const assertion = softAssertion(this.credential, {
			challenge: String(options.challenge),
			origin: this.origin,
			rpId: this.rpId
		});
		if (counted) PortalClient.submitting++;
		try {
			return await this.json(verifyPath, assertion, `${what} verify`);
		} finally {
			if (counted) PortalClient.submitting--;
		}
	}

	async signIn(): Promise<void> {
		await this.sign('/auth/sign-in/options', '/auth/sign-in/verify', 'sign-in');
	}

	async get(path: string): Promise<Response> {
		return this.expect(await this.request(path), `GET ${path}`, (status) => status < 400);
	}

	/** Posts a form as a browser without JavaScript would; a 303 is the only success. */
	async form(path: string, values: Record<string, string>): Promise<string> {
		const response = await this.expect(
			await this.request(path, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams(values).toString()
			}),
			`POST ${path}`,
			(status) => status === 303
		);
		return response.headers.get('location') ?? '';
	}

	/** The values offered for a radio group on a page, in the page's order. */
	async choices(path: string, name: string): Promise<string[]> {
		const html = await (await this.get(path)).text();
		const pattern = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`, 'g');
		return [...html.matchAll(pattern)].map((match) => match[1]!);
	}

	/**
	 * An English certificate filled in up to its evidence step (the upload form) for the signed-in
	 * resident, with a dose from the handbook so that a photo is asked for.
	 */
	async draftCertificate(): Promise<{ applicationId: string; evidence: string }> {
		const first = await this.form('/apply/certificate', { start_key: randomUUID() });
		const applicationId = first.split('/')[2]!;
		const answer = (name: string, values: Record<string, string>) =>
			this.form(`/applications/${applicationId}/${name}?/answer`, values);
		const [person] = await this.choices(`/applications/${applicationId}/person`, 'person');
		await answer('person', { person: person! });
		await answer('passport', {
			passport_name: 'YAMADA HANAKO',
			passport_number: 'TK1234567',
			nationality: 'JAPAN'
		});
		await answer('purpose', { purpose: 'travel' });
		await answer('doses', { doses_mode: 'choose', handbook: 'handbook' });
		await answer('copies', { copies: '1' });
		return { applicationId, evidence: `/applications/${applicationId}/evidence` };
	}

	/**
	 * A 予診票の再発行 filled in for the first household member with a dose to reissue; `startKey`
	 * is the start form's key, so starting twice (a double tap) gives one draft.
	 */
	async draftReissue(startKey = randomUUID()): Promise<Submission> {
		const first = await this.form('/apply/reissue', { start_key: startKey });
		const applicationId = first.split('/')[2]!;
		const step = (name: string) => `/applications/${applicationId}/${name}`;
		const answer = (name: string, values: Record<string, string>) =>
			this.form(`${step(name)}?/answer`, values);
		for (const person of await this.choices(step('person'), 'person')) {
			await answer('person', { person });
			const [dose] = await this.choices(step('dose'), 'dose');
			if (!dose) continue;
			await answer('dose', { dose });
			await answer('reason', { reason: 'lost' });
			await answer('delivery', { delivery: 'mail' });
			return { applicationId, startKey };
		}
		throw new Error('nobody in the household has a dose to reissue');
	}

	/** Signs and submits the draft; resolves once the portal says it was sent to the city (issue 27). */
	/** Signs the agreement to notices online; it travels to the back office (issue 27). */
	async consent(): Promise<void> {
		const result = await this.sign('/auth/sign/options', '/auth/sign/verify', 'consent', false, {
			kind: 'consent',
			payload: {
				statement: 'electronic_notices',
				text: '市からのお知らせを電子で受け取ることに同意します。',
				locale: 'ja',
				shown_at: new Date().toISOString()
			}
		});
		if (result.state !== 'sent') throw new Error(`consent answered ${JSON.stringify(result)}`);
	}

	async submit(applicationId: string): Promise<void> {
		const result = await this.sign(
			`/applications/${applicationId}/submit/options`,
			`/applications/${applicationId}/submit/verify`,
			'submit',
			true
		);
		if (!String(result.redirect ?? '').includes('submitted=1'))
			throw new Error(`submit answered ${JSON.stringify(result)}`);
	}
}
