import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { staffMember } from '$lib/server/staff/admin';
import {
	approveRoleAction,
	deactivateAction,
	grantRoleAction,
	newLinkAction,
	revokeRoleAction
} from '$lib/server/staff/admin-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() => staffMember(...asStaff(locals), { id: params.id }));

export const actions: Actions = {
	grant: (event) => grantRoleAction(event, event.params.id),
	approve: (event) => approveRoleAction(event, event.params.id),
	revoke: (event) => revokeRoleAction(event, event.params.id),
	deactivate: (event) => deactivateAction(event, event.params.id),
	link: (event) => newLinkAction(event, event.params.id)
};
