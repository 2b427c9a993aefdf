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
			realm: 'public' | 'resident' | 'staff';
			/** Passed to every audit entry made while serving this request. */
			audit: AuditContext;
		}
	}
}

export {};
