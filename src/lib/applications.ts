// Names of request types and statuses as residents read them (DOMAIN.md §4).
import { m } from '$lib/paraglide/messages';

const kinds: Record<string, () => string> = {
	reissue: m.reissue_title,
	certificate: m.service_certificate,
	relief: m.service_relief,
	outside_request: m.service_outside_request
};

const statuses: Record<string, () => string> = {
	draft: m.status_draft,
	submitted: m.status_submitted,
	in_review: m.status_in_review,
	returned: m.status_returned,
	completed: m.status_completed,
	rejected: m.status_rejected,
	withdrawn: m.status_withdrawn
};

export const kindText = (kind: string) => (kinds[kind] ?? (() => kind))();
export const statusText = (status: string) => (statuses[status] ?? (() => status))();
