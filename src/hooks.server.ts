// Session realm, security headers, audit context — nothing else (STYLE.md).
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { sequence } from '@sveltejs/kit/hooks';
import { paraglideMiddleware } from '$lib/paraglide/server';
import { config } from '$lib/server/config';
import { closeDb, db, inPortalZone } from '$lib/server/db';
import {
	isDatabaseUnavailable,
	isInvalidValue,
	retryAfterSeconds
} from '$lib/server/db/availability';
import { deliverPending, smtpTransport } from '$lib/server/notifications/email';
import { MyNumberInAuditError } from '$lib/server/audit/record';
import { expireDrafts } from '$lib/server/applications/store';
import { jobs, stopJobs } from '$lib/server/jobs/runtime';
import { auditContextFor, sessionCookieNames } from '$lib/server/http/context';
import { securityHeaders } from '$lib/server/http/headers';
import { isServed, realmOf } from '$lib/server/http/realm';
import {
	declaredLength,
	discardBody,
	smallBodyLimit,
	uploadRoutes,
	withBodyLimit
} from '$lib/server/http/bodies';
import { loadSession, requiredRealm } from '$lib/server/http/session';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';

// Paraglide decides the locale from the cookie and headers; it is given those alone. Given the
// request itself it clones it, and a clone's unread twin keeps the whole body in memory: every
// POST was held twice, and 50 anonymous 32 MB posts grew the process by 1.1 GB (issue 24, item 7).
// Our strategies (cookie, Accept-Language) never rewrite the URL, so the request stays as it came.
const locale: Handle = ({ event, resolve }) =>
	paraglideMiddleware(
		new Request(event.request.url, { headers: event.request.headers }),
		({ locale }) =>
			resolve(event, {
				transformPageChunk: ({ html }) => html.replace('%paraglide.lang%', locale)
			})
	);

const realmAndContext: Handle = async ({ event, resolve }) => {
	if (event.url.pathname === '/' && config().appRole === 'backoffice') {
		return new Response(null, { status: 303, headers: { Location: '/staff' } });
	}
	const realm = realmOf(event.route.id, event.url.pathname);
	// A route the deployment does not serve does not exist there: 404 before any load or
	// endpoint runs, for pages and API alike.
	if (!isServed(realm, config().appRole)) return withSecurityHeaders(notFound(), event.url);
	event.locals.realm = realm;
	// The combined deployment answers resident and public requests as the portal would: on the
	// portal's database role (src/lib/server/db/index.ts).
	if (realm !== 'staff' && config().appRole === 'all')
		return inPortalZone(() => serve(event, resolve, realm));
	return serve(event, resolve, realm);
};

async function serve(
	event: Parameters<Handle>[0]['event'],
	resolve: Parameters<Handle>[0]['resolve'],
	realm: ReturnType<typeof realmOf>
): Promise<Response> {
	const sessionId = sessionCookieNames.map((name) => event.cookies.get(name)).find(Boolean) ?? null;
	// The back office's pull comes straight from the staff network, not through the residents'
	// proxy, so it carries no forwarded address; its signature says who it is (issue 27).
	const address = realm === 'exchange' ? null : event.getClientAddress();
	event.locals.audit = auditContextFor(event.request, address, sessionId);

	const needed = requiredRealm(event.route.id, event.url.pathname);
	// The exchange's requests carry the back office's signature, never a session.
	const sessionRealm = needed ?? (realm === 'public' || realm === 'exchange' ? null : realm);
	if (sessionRealm) {
		let outcome: Awaited<ReturnType<typeof loadSession>>;
		try {
			outcome = await loadSession(event, sessionRealm, new Date());
		} catch (thrown) {
			if (!isDatabaseUnavailable(thrown)) throw thrown;
			logUnavailable(event, thrown);
			return withSecurityHeaders(
				unavailable(event.request, event.locals.audit.requestId),
				event.url
			);
		}
		if (needed && outcome !== 'valid') {
			const refused = withSecurityHeaders(
				signInRequired(event.request, event.url, needed, outcome),
				event.url
			);
			refused.headers.set('X-Request-Id', event.locals.audit.requestId);
			return refused;
		}
	}

	// A large body only where files are taken, from someone signed in (src/lib/server/http/bodies.ts).
	if (
		event.request.body &&
		!(uploadRoutes.has(event.route.id ?? '') && (event.locals.resident || event.locals.staff))
	) {
		const length = declaredLength(event.request);
		if (length !== null && length > smallBodyLimit) {
			return withSecurityHeaders(tooLarge(event.request, event.locals.audit.requestId), event.url);
		}
		if (length === null) event.request = withBodyLimit(event.request, smallBodyLimit);
	}

	let response = await resolve(event);
	// The error page or JSON error is already rendered with the message; only the status changes.
	const answer = event.locals.answerWith;
	if (answer) {
		response = new Response(response.body, { status: answer.status, headers: response.headers });
		if (answer.retryAfter) response.headers.set('Retry-After', String(answer.retryAfter));
	}
	response = withSecurityHeaders(response, event.url);
	response.headers.set('X-Request-Id', event.locals.audit.requestId);
	return response;
}

/** Before any page runs (the session could not be read): a 503 page or JSON, Retry-After. */
function unavailable(request: Request, requestId: string): Response {
	return refusedEarly(request, requestId, 503, m.error_unavailable(), {
		'Retry-After': String(retryAfterSeconds)
	});
}

/** A JSON error or a plain page, under the strict CSP, answered before SvelteKit renders any. */
function refusedEarly(
	request: Request,
	requestId: string,
	status: number,
	message: string,
	extra: Record<string, string> = {}
): Response {
	const headers = { ...extra, 'Content-Security-Policy': strictCsp, 'X-Request-Id': requestId };
	if (!(request.headers.get('accept') ?? '').includes('text/html')) {
		return new Response(JSON.stringify({ message, requestId }), {
			status,
			headers: { ...headers, 'Content-Type': 'application/json' }
		});
	}
	return plainPage(
		status,
		m.error_title(),
		[message, m.error_reference({ id: requestId })],
		headers
	);
}

/** 413 before the body is read (it is then dropped as it arrives, see drainUnreadBody). */
function tooLarge(request: Request, requestId: string): Response {
	const limit = `${smallBodyLimit / 1024} KB`;
	return refusedEarly(request, requestId, 413, m.error_body_too_large({ limit }));
}

function logUnavailable(event: Parameters<Handle>[0]['event'], thrown: unknown) {
	console.error(
		JSON.stringify({
			level: 'warn',
			event: 'database_unavailable',
			requestId: event.locals.audit?.requestId,
			route: event.route.id,
			method: event.request.method,
			error: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)
		})
	);
}

function withSecurityHeaders(response: Response, url: URL): Response {
	for (const [name, value] of Object.entries(securityHeaders(url)))
		response.headers.set(name, value);
	return response;
}

const strictCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Pages go to the sign-in page (saying why, and where to return); other requests get 401. */
function signInRequired(
	request: Request,
	url: URL,
	realm: 'resident' | 'staff',
	outcome: string
): Response {
	const wantsPage =
		request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
	if (!wantsPage) {
		return new Response(JSON.stringify({ message: m.auth_sign_in_required() }), {
			status: 401,
			headers: { 'Content-Type': 'application/json', 'Content-Security-Policy': strictCsp }
		});
	}
	const target = new URL(realm === 'staff' ? '/staff/sign-in' : '/sign-in', url);
	target.searchParams.set('next', url.pathname);
	if (outcome !== 'none') target.searchParams.set('ended', outcome);
	return new Response(null, {
		status: 303,
		headers: { Location: target.pathname + target.search, 'Content-Security-Policy': strictCsp }
	});
}

function notFound(): Response {
	return plainPage(404, '404', [m.error_not_found()]);
}

/** A page answered before SvelteKit renders any (no layout, no script), under the strict CSP. */
function plainPage(
	status: number,
	heading: string,
	paragraphs: string[],
	headers: Record<string, string> = {}
): Response {
	const body = `<!doctype html><html lang="${getLocale()}"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status}</title><main><h1>${heading}</h1>${paragraphs.map((text) => `<p>${text}</p>`).join('')}</main></html>`;
	return new Response(body, {
		status,
		headers: {
			...headers,
			'Content-Type': 'text/html; charset=utf-8',
			'Content-Security-Policy': strictCsp
		}
	});
}

/**
 * A request refused before its body was read (a sign-in required, an endpoint that reads none) is
 * read to its end anyway (adapter-node's BODY_SIZE_LIMIT bounds it): answering mid-upload resets
 * the connection, and the browser shows a network error instead of the answer. Found by the fuzzer.
 */
const drainUnreadBody: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	// Chunk by chunk, keeping none: an anonymous 32 MB post costs time, not memory (issue 24).
	await discardBody(event.request);
	return response;
};

export const handle = sequence(locale, drainUnreadBody, realmAndContext);

/**
 * Background work of every process: drafts older than 30 days are deleted hourly (with a notice).
 * The back office also runs the job worker (mailings), which resumes what a stopped process left,
 * and sends notice e-mails from the outbox every ten seconds when a mail server is configured:
 * the outbox and the addresses are its own (issue 27), the portal holds neither.
 */
export const init: ServerInit = () => {
	const { smtpUrl, mailFrom, origin, appRole } = config();
	let stopping = false;
	if (appRole !== 'portal') {
		// The job runner writes the audit checkpoints too: a start that fails (the database was
		// not up yet) is tried again every 30 s rather than waiting for a staff action to need it.
		const startJobs = () => {
			if (stopping) return;
			jobs().catch((error: Error) => {
				console.error(
					JSON.stringify({ level: 'error', event: 'jobs_start', error: error.message })
				);
				setTimeout(startJobs, 30_000).unref();
			});
		};
		startJobs();
	}
	// adapter-node closes the server on SIGTERM/SIGINT and then waits for the event loop to empty:
	// the job worker's timers and the database pool would keep it alive.
	process.once('sveltekit:shutdown', () => {
		stopping = true;
		void stopJobs()
			.finally(() => closeDb())
			.finally(() => {
				// A cluster worker (APP_PROCESSES > 1): its channel to the primary would keep it alive.
				if (process.connected) process.disconnect();
			});
	});
	const expire = () =>
		expireDrafts(db(), { portalUrl: `${origin}/sign-in`, now: new Date() }).catch((error: Error) =>
			console.error(JSON.stringify({ level: 'error', event: 'draft_expiry', error: error.message }))
		);
	setTimeout(expire, 5_000).unref();
	setInterval(expire, 3_600_000).unref();
	if (!smtpUrl || appRole === 'portal') return;
	const transport = smtpTransport(smtpUrl);
	const from = mailFrom ?? `no-reply@${new URL(origin).hostname}`;
	setInterval(() => {
		deliverPending(db(), transport, from).catch((error: Error) =>
			console.error(JSON.stringify({ level: 'error', event: 'mail', error: error.message }))
		);
	}, 10_000).unref();
};

export const handleError: HandleServerError = ({ error: thrown, event, status, message }) => {
	const requestId = event.locals.audit?.requestId ?? crypto.randomUUID();
	if (isDatabaseUnavailable(thrown)) {
		event.locals.answerWith = { status: 503, retryAfter: retryAfterSeconds };
		logUnavailable(event, thrown);
		return { message: m.error_unavailable(), requestId };
	}
	// A 個人番号 typed into a reason or note: a write and its audit entry share one transaction, so
	// nothing was kept. Fields that reach residents check first and answer inline; this is the net
	// for the others.
	const myNumberTyped = thrown instanceof MyNumberInAuditError;
	if (isInvalidValue(thrown) || myNumberTyped) {
		event.locals.answerWith = { status: 400 };
		console.error(
			JSON.stringify({
				level: 'warn',
				event: myNumberTyped ? 'my_number_refused_from_audit' : 'value_refused_by_database',
				requestId,
				route: event.route.id,
				method: event.request.method,
				code: (thrown as { code?: string }).code
			})
		);
		return {
			message: myNumberTyped ? m.error_my_number_in_text() : m.error_invalid_value(),
			requestId
		};
	}
	if (status >= 500) {
		// One structured line: the request id ties it to the page the user saw. No request body,
		// no query string (they may carry personal data).
		console.error(
			JSON.stringify({
				level: 'error',
				requestId,
				route: event.route.id,
				method: event.request.method,
				status,
				error: thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown)
			})
		);
	}
	return {
		message: status === 404 ? m.error_not_found() : status >= 500 ? m.error_generic() : message,
		requestId
	};
};
