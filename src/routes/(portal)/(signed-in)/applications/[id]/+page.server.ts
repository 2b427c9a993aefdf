import { applicationOr404 } from '$lib/server/applications/reissue-http';
import { nextMissingStep, type ReissueDraft } from '$lib/server/applications/reissue';
import { transitionsOf } from '$lib/server/applications/store';
import { recordAudit } from '$lib/server/audit/record';
import { residentActor } from '$lib/server/auth/http';
import { db } from '$lib/server/db';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const application = await applicationOr404(event);
	await recordAudit(db(), {
		municipalityCode: application.municipality_code,
		actor: residentActor(event.locals),
		context: event.locals.audit,
		action: 'application.view',
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		result: 'ok'
	});
	const history = await transitionsOf(db(), application.id);
	return {
		id: application.id,
		kind: application.kind,
		status: application.status,
		reference: application.reference,
		submitted: event.url.searchParams.has('submitted'),
		withdrawn: event.url.searchParams.has('withdrawn'),
		open: ['draft', 'submitted', 'in_review', 'returned'].includes(application.status),
		resume:
			application.status === 'draft' || application.status === 'returned'
				? nextMissingStep(application.draft as ReissueDraft)
				: null,
		history: history.map((row) => ({
			to: row.to_status,
			by: row.actor_type,
			reason: row.reason,
			at: row.at.toISOString()
		}))
	};
};
