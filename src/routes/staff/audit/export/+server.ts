import { exportAudit } from '$lib/server/audit/auditor';
import { DomainError } from '$lib/server/errors';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { exportDownload } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';
import { auditFilterFields } from '../filters';

export const POST: RequestHandler = async ({ locals, request }) => {
	const filters = auditFilterFields(await formOf(request));
	try {
		return exportDownload(await exportAudit(...asStaff(locals), filters));
	} catch (failure) {
		// Filters that do not parse: the message as text, the form is on the page before.
		if (failure instanceof DomainError && failure.code === 'filters_invalid') {
			return new Response(failure.text, { status: 400 });
		}
		throw failure;
	}
};
