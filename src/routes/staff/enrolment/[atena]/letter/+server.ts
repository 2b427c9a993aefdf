import { config } from '$lib/server/config';
import { enrolmentLetter } from '$lib/server/desk/enrolment';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params }) =>
	exportDownload(
		await answerPage(() =>
			enrolmentLetter(...asStaff(locals), { atena: params.atena }, { origin: config().origin })
		)
	);
