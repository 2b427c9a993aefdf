// Names of issued document types and their registry status, for residents and staff alike.
import { m } from '$lib/paraglide/messages';

const kinds: Record<string, () => string> = {
	reissue: m.document_kind_reissue,
	certificate: m.document_kind_certificate,
	outside_request: m.document_kind_outside_request,
	notice: m.document_kind_notice,
	relief_forward: m.document_kind_relief_forward,
	disclosure: m.document_kind_disclosure
};

const statuses: Record<string, () => string> = {
	valid: m.document_status_valid,
	superseded: m.document_status_superseded,
	revoked: m.document_status_revoked
};

export const documentKindText = (kind: string) => (kinds[kind] ?? (() => kind))();
export const documentStatusText = (status: string) => (statuses[status] ?? (() => status))();
