// See https://svelte.dev/docs/kit/types#app.d.ts
import type { AuditContext } from '$lib/server/audit/record';

declare global {
	namespace App {
		interface Error {
			message: string;
			/** Quoted to the help desk; matches the server log line. */
			requestId?: string;
		}
		interface Locals {
			/** Which side of the product the route belongs to. */
			realm: import('$lib/server/http/realm').Realm;
			/**
			 * Set by handleError when a failure is not a bug: PostgreSQL could not serve (503,
			 * Retry-After) or refused a value the request carried (400).
			 */
			answerWith?: { status: 400 | 503; retryAfter?: number };
			/** Passed to every audit entry made while serving this request. */
			audit: AuditContext;
			/** The signed-in resident (resident realm only). */
			resident?: {
				accountId: string;
				atenaNumber: string;
				municipalityCode: string;
				sessionToken: string;
				credentialId: string;
				authenticatedAt: Date;
			};
			/** The signed-in staff member, with the rights in force today (staff realm only). */
			staff?: {
				id: string;
				loginId: string;
				displayName: string;
				department: string;
				municipalityCode: string;
				roles: string[];
				permissions: Set<string>;
				sessionToken: string;
			};
		}
	}
}

export {};
