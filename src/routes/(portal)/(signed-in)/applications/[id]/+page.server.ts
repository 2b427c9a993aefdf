import { actorOf } from '$lib/server/audit/caller';
import { residentCaller } from '$lib/server/http/caller';
import { applicationOr404, applicationSummary } from '$lib/server/applications/wizard-http';
import { transitionsOf, withdrawable } from '$lib/server/applications/store';
import { recordAudit } from '$lib/server/audit/record';
import { db } from '$lib/server/db';
import { messageFor } from '$lib/messages';
import { reliefTimeline } from '$lib/server/relief/timeline';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const application = await applicationOr404(event);
	await recordAudit(db(), {
		municipalityCode: application.municipality_code,
		actor: actorOf(residentCaller(event.locals)),
		context: event.locals.audit,
		action: 'application.view',
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		result: 'ok'
	});
	const history = await transitionsOf(db(), application.id);
	const summary = await applicationSummary(event, application);
	const timeline =
		application.kind === 'relief' ? await reliefTimeline(db(), application.id) : null;
	// The words are looked up here, not in the page: a look-up by key in the browser would ship
	// every message of the app (issue 25: this page weighed 110 KB of JavaScript).
	const relief = timeline && {
		...timeline,
		milestones: timeline.milestones.map((step) => ({
			...step,
			title: messageFor(`relief_step_${step.key}`),
			text: messageFor(`relief_step_${step.key}_text`),
			duration: messageFor(`relief_step_${step.key}_duration`)
		})),
		missing: timeline.missing.map((code) => {
			const text = messageFor(`relief_doc_${code}`);
			return text === `relief_doc_${code}` ? code : text;
		})
	};
	return {
		id: application.id,
		kind: application.kind,
		status: application.status,
		reference: application.reference,
		submitted: event.url.searchParams.has('submitted'),
		withdrawn: event.url.searchParams.has('withdrawn'),
		open: await withdrawable(db(), application),
		title: summary.title,
		nextSteps: summary.nextSteps,
		resume: summary.resume,
		relief,
		history: history.map((row) => ({
			to: row.to_status,
			by: row.actor_type,
			reason: row.reason,
			items: Array.isArray(row.items) ? row.items.length : 0,
			at: row.at.toISOString()
		}))
	};
};
