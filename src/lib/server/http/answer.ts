// The one place a domain refusal becomes an HTTP answer. A form action answers it with
// fail(status, { refusal, message, errors, ...what the form keeps }), so the page shows the
// message and the values typed come back (an AccessRefused is the error page instead); a page
// load answers it with the error page; anything that is not a DomainError is a fault and goes on
// to handleError (500 with a request id).
// A redirect thrown by the work (after a change) passes through untouched.
import { error, fail, json, type ActionFailure } from '@sveltejs/kit';
import { AccessRefused, DomainError } from '../errors';

export type Refusal = {
	refusal: string;
	message: string;
	/** Field name → what is wrong with it. */
	errors: Record<string, string>;
};

/** For a form action: the work's result, or its refusal as a failed action. */
export async function answer<T, Keep extends Record<string, unknown> = Record<never, never>>(
	work: () => Promise<T>,
	/** What the form shows again (values typed), or a function of the refusal that gives it. */
	keep?: Keep | ((refusal: DomainError) => Keep)
): Promise<T | ActionFailure<Refusal & Keep>> {
	try {
		return await work();
	} catch (failure) {
		if (!(failure instanceof DomainError)) throw failure;
		// Not signed in, not allowed, not there (or not yours): no form to show again, the error
		// page with its status. (A failed action would answer a script's request with 200.)
		if (failure instanceof AccessRefused) error(failure.status, failure.text);
		return fail(failure.status, {
			refusal: failure.code,
			message: failure.text,
			errors: { ...failure.fields },
			...((typeof keep === 'function' ? keep(failure) : keep) as Keep)
		});
	}
}

/** For a page load or a download: the work's result, or the error page with the refusal. */
export async function answerPage<T>(work: () => Promise<T>): Promise<T> {
	try {
		return await work();
	} catch (failure) {
		if (failure instanceof DomainError) error(failure.status, failure.text);
		throw failure;
	}
}

/** For a JSON endpoint: the work's result as JSON, or { message, refusal } with the status. */
export async function answerJson<T>(work: () => Promise<T>): Promise<Response> {
	try {
		return json(await work());
	} catch (failure) {
		if (!(failure instanceof DomainError)) throw failure;
		return json({ message: failure.text, refusal: failure.code }, { status: failure.status });
	}
}
