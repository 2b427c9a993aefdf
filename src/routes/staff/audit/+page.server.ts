// The auditor's screen.
import { auditOverview, reviewPeriod, searchAudit, verifyAudit } from '$lib/server/audit/auditor';
import { exchangeRefusals } from '$lib/server/exchange/standing';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';
import { auditFilterFields } from './filters';

export const load: PageServerLoad = ({ locals }) =>
	answerPage(async () => ({
		...(await auditOverview(...asStaff(locals))),
		// What a compromised portal tried (issue 27): refused, audited, listed here.
		refusedExchange: await exchangeRefusals(...asStaff(locals))
	}));

export const actions: Actions = {
	search: async ({ locals, request }) => {
		const filters = auditFilterFields(await formOf(request));
		return answer(async () => ({ filters, rows: await searchAudit(...asStaff(locals), filters) }), {
			filters
		});
	},
	verify: ({ locals }) => answer(async () => ({ verified: await verifyAudit(...asStaff(locals)) })),
	review: async ({ locals, request }) => {
		const form = await formOf(request);
		const review = {
			from: String(form.get('from') ?? ''),
			until: String(form.get('until') ?? ''),
			findings: String(form.get('findings') ?? '').slice(0, 4000)
		};
		return answer(async () => ({ reviewed: await reviewPeriod(...asStaff(locals), review) }), {
			review
		});
	}
};
