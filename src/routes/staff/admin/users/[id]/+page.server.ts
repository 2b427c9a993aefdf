// One staff account: its roles (granted, approved by a second administrator, revoked), its
// passkeys, deactivation and a new registration link.
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { entriesOf, formOf } from '$lib/server/http/form';
import {
	approveStaffRole,
	deactivateStaffMember,
	grantStaffRole,
	newStaffLink,
	revokeStaffRole,
	staffMember
} from '$lib/server/staff/admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() => staffMember(...asStaff(locals), { id: params.id }));

export const actions: Actions = {
	grant: async ({ locals, params, request }) => {
		const values = entriesOf(await formOf(request), 200);
		return answer(
			async () => ({
				granted: true,
				...(await grantStaffRole(...asStaff(locals), { id: params.id, form: values }))
			}),
			{ values }
		);
	},
	approve: async ({ locals, params, request }) => {
		const values = entriesOf(await formOf(request), 200);
		return answer(
			async () => {
				await approveStaffRole(...asStaff(locals), {
					id: params.id,
					assignment: values.assignment ?? ''
				});
				return { approved: true };
			},
			{ values }
		);
	},
	revoke: async ({ locals, params, request }) => {
		const values = entriesOf(await formOf(request), 200);
		return answer(
			async () => {
				await revokeStaffRole(...asStaff(locals), {
					id: params.id,
					assignment: values.assignment ?? '',
					reason: values.reason ?? ''
				});
				return { revoked: true };
			},
			{ values }
		);
	},
	deactivate: async ({ locals, params, request }) => {
		const values = entriesOf(await formOf(request), 200);
		return answer(
			async () => {
				await deactivateStaffMember(...asStaff(locals), {
					id: params.id,
					reason: values.reason ?? ''
				});
				return { deactivated: true };
			},
			{ values }
		);
	},
	link: ({ locals, params }) => answer(() => newStaffLink(...asStaff(locals), { id: params.id }))
};
