// One error base for every refusal a domain function gives: a code from the domain's own union,
// the HTTP status the routes answer it with, and the text in the reader's language from a
// message map that must name every code (a code without a message does not compile). Routes map
// it in one place (http/answer.ts); anything else thrown is a fault, answered 500 and logged
// with the request id by hooks.server.ts.
import type { ZodError } from 'zod';
import { m } from '$lib/paraglide/messages';

export type RefusalStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 503;

/** A message for every code of a union: the compiler refuses a map that misses one. */
export type MessageMap<Code extends string> = { readonly [K in Code]: () => string };

export abstract class DomainError<Code extends string = string> extends Error {
	protected abstract readonly messages: MessageMap<Code>;
	constructor(
		readonly code: Code,
		readonly status: RefusalStatus = 400,
		/** Field name → the text of what is wrong with it, for forms that show errors by field. */
		readonly fields: Readonly<Record<string, string>> = {},
		/** Words already made for this refusal (a message with values), instead of the map's. */
		private readonly said?: string
	) {
		super(code);
		this.name = new.target.name;
	}

	/** Why, in the reader's language. */
	get text(): string {
		return this.said ?? this.messages[this.code]();
	}
}

export type AccessRefusal = 'sign_in_required' | 'forbidden' | 'not_found';

/**
 * The same three answers everywhere: not signed in (401), not allowed (403), and not found —
 * which is also the answer for a record that exists but belongs to another city or person, so
 * an id reveals nothing (404).
 */
export class AccessRefused extends DomainError<AccessRefusal> {
	protected readonly messages = {
		sign_in_required: m.auth_sign_in_required,
		forbidden: m.staff_forbidden,
		not_found: m.error_not_found
	};
	constructor(code: AccessRefusal) {
		super(code, code === 'sign_in_required' ? 401 : code === 'forbidden' ? 403 : 404);
	}
}

/** A form or body that does not pass its schema: the text of each field that is wrong. */
export class InputRefused extends DomainError<'invalid'> {
	protected readonly messages = { invalid: m.error_summary_heading };
	constructor(fields: Record<string, string>) {
		super('invalid', 400, fields);
	}
}

/**
 * The first problem of each field of a schema that did not pass, in the reader's language: the
 * field's own message where the form names one, else the general one.
 */
export function fieldErrors(
	error: ZodError,
	messages: Readonly<Record<string, () => string>> = {}
): Record<string, string> {
	const errors: Record<string, string> = {};
	for (const issue of error.issues) {
		const name = String(issue.path[0] ?? '');
		errors[name] ??= (messages[name] ?? m.error_invalid_value)();
	}
	return errors;
}
