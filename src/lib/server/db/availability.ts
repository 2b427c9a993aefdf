// Which failures mean "the database cannot serve us right now" — restarting, unreachable, out of
// connections or out of disk — as opposed to a bug. Those are answered 503 with Retry-After and a
// plain message (hooks.server.ts); the pool replaces broken connections by itself, so the app
// recovers without a restart once PostgreSQL is back.

/** SQLSTATE classes and codes of an unavailable server (PostgreSQL Appendix A). */
const unavailableStates = [
	/^08/, // connection exception
	/^53/, // insufficient resources: disk_full 53100, out_of_memory 53200, too_many_connections 53300
	/^57P0[1-4]$/, // admin_shutdown, crash_shutdown, cannot_connect_now, database_dropped
	/^58030$/ // io_error
];

/** Errors node-postgres raises itself, without a SQLSTATE. */
const unavailableMessages = [
	/^Connection terminated/,
	/^timeout exceeded when trying to connect/,
	/is not queryable/
];

const unavailableSyscalls = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENOTFOUND'
]);

export function isDatabaseUnavailable(error: unknown): boolean {
	for (let cause = error, depth = 0; cause && depth < 5; depth++) {
		if (!(cause instanceof Error)) return false;
		const code = (cause as { code?: unknown }).code;
		if (typeof code === 'string') {
			if (unavailableSyscalls.has(code)) return true;
			if (/^[0-9A-Z]{5}$/.test(code) && unavailableStates.some((state) => state.test(code)))
				return true;
		}
		const message = cause.message;
		if (unavailableMessages.some((pattern) => pattern.test(message))) return true;
		// AggregateError (a host with several addresses refused them all) and wrapped causes.
		if (cause instanceof AggregateError && cause.errors.some(isDatabaseUnavailable)) return true;
		cause = cause.cause;
	}
	return false;
}

/**
 * PostgreSQL's data exceptions (class 22: a NUL in text, a date that does not exist, a number out
 * of range) come from a value the request carried that validation let through. The person is told
 * their input could not be used (400); the log still names the route, so the gap gets closed.
 */
export function isInvalidValue(error: unknown): boolean {
	const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
	return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** Seconds a client should wait before trying again. */
export const retryAfterSeconds = 5;
