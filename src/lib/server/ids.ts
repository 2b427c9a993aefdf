// Record ids are UUIDs (PostgreSQL gen_random_uuid). Every id that arrives in a path, a query
// string or a form is checked here before it reaches a query: PostgreSQL refuses a malformed
// uuid with an error, and the answer must be "not found", the same as for an id that is not ours.
import { z } from 'zod';

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(value: unknown): value is string {
	return typeof value === 'string' && uuidPattern.test(value);
}

/** The zod schema of a record id, for forms and request bodies. */
export const recordId = z.string().regex(uuidPattern);
