import { getLocale } from '$lib/paraglide/runtime';
import { messageFor } from '$lib/messages';
import { applicationPage } from '$lib/server/applications/applicant';
import { sentApplicationPage } from '$lib/server/applications/sent';
import { objectStanding } from '$lib/server/exchange/portal';
import { answerPage } from '$lib/server/http/answer';
import { asResident, asResidentInPortalZone } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const [zone, caller] = asResidentInPortalZone(locals);
	// A sent application as the back office published it to the portal zone (issue 27); a draft,
	// or one not published yet, from where drafts still live (which refuses another's id).
	const page = await answerPage(
		async () =>
			(await sentApplicationPage(zone, caller, { id: params.id })) ??
			applicationPage(...asResident(locals), {
				id: params.id,
				locale: getLocale() === 'en' ? 'en' : 'ja'
			})
	);
	const { application } = page;
	// A submission or withdrawal travels to the back office (issue 27): while it is on its way the
	// page says so and asks again; once taken in, the status below is the city's.
	const sending = await objectStanding(zone, caller, application.id);
	const timeline = page.relief;
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
		submitted: url.searchParams.has('submitted'),
		withdrawn: url.searchParams.has('withdrawn'),
		open: page.open,
		title: page.title,
		nextSteps: page.nextSteps,
		resume: page.resume,
		relief,
		returnItems: page.returnItems,
		history: page.history,
		sending
	};
};
