// The notice e-mails waiting or sent, for the administrator to check delivery.
import { config } from '$lib/server/config';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { outbox } from '$lib/server/notifications/outbox';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
	smtp: Boolean(config().smtpUrl),
	messages: await answerPage(() => outbox(...asStaff(locals)))
});
