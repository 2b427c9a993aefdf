import { ownApplications } from '$lib/server/applications/store';
import { accountOf } from '$lib/server/residents/household';
import { db } from '$lib/server/db';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const resident = locals.resident!;
	const rows = await ownApplications(db(), accountOf(resident), new Date());
	return {
		applications: rows.map((row) => ({
			id: row.id,
			kind: row.kind,
			status: row.status,
			reference: row.reference,
			updatedAt: row.updated_at.toISOString()
		}))
	};
};
