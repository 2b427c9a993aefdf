import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { enrolmentLetter } from '$lib/server/desk/enrolment';
import { answerPage } from '$lib/server/http/answer';
import { staffCaller } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ locals, params }) =>
	exportDownload(
		await answerPage(() =>
			enrolmentLetter(
				db(),
				staffCaller(locals),
				{ atena: params.atena },
				{ origin: config().origin }
			)
		)
	);
