// The applicant's doors to what they have sent, read from the projection the back office
// published to the portal zone (issue 27, applications/projection.ts says what): the list of
// their applications and one application's page with its status, history, the 差し戻し items
// and a relief claim's stages. Shown only to the account that sent it, and only while the person
// it is about is one the account represents now (a child turned 18, a DV 支援措置: gone). What a
// page showed reaches the audit log as an item.
//
// Drafts are not published: until the wizard moves to the portal zone's database they are read
// from the shared one (applicant.ts), and so is a sent application the back office has not
// published yet (the moment between taking it in and publishing it).
import { requireResident, type Caller } from '../audit/caller';
import type { PortalZoneExecutor } from '../db';
import { isUuid } from '../ids';
import { reportViews, shownPeople } from '../residents/people';
import { projectedApplication } from '../zone/projection';
import { stepTitle, wizardFor } from './kinds';

/** A row of the applications list. */
export type ApplicationRow = {
	id: string;
	kind: string;
	status: string;
	reference: string | null;
	updatedAt: string;
};

/**
 * The applicant's applications, newest first: the drafts they have open (read by the caller from
 * where drafts live) and what they have sent, as published, about the people they represent now.
 */
export async function applicationList(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { drafts: readonly ApplicationRow[] },
	now = new Date()
): Promise<ApplicationRow[]> {
	requireResident(caller);
	const { people, applications } = await shownPeople(zone, caller, now);
	const shown = new Set(people.map((person) => person.ref));
	const rows = [
		...input.drafts,
		...applications
			.filter((application) => application.ref === null || shown.has(application.ref))
			.map(({ id, kind, status, reference, updatedAt }) => ({
				id,
				kind,
				status,
				reference,
				updatedAt
			}))
	].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || (a.id < b.id ? -1 : 1));
	await reportViews(zone, caller, { page: 'applications', refs: [], rows: rows.length }, now);
	return rows;
}

/**
 * A sent application's page as published, or null when the portal has none to show this caller
 * (a draft, not published yet, another account's, about a person no longer represented): the
 * route then asks where drafts live, which refuses and audits an id that is not the caller's.
 */
export async function sentApplicationPage(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string },
	now = new Date()
) {
	requireResident(caller);
	if (!isUuid(input.id)) return null;
	const application = await projectedApplication(zone, input.id);
	if (!application || application.account !== caller.id) return null;
	if (application.ref !== null) {
		const { people } = await shownPeople(zone, caller, now);
		if (!people.some((person) => person.ref === application.ref)) return null;
	}
	const wizard = wizardFor(application.kind as Parameters<typeof wizardFor>[0]);
	if (!wizard) return null;
	await reportViews(zone, caller, { page: 'application', refs: [], applicationId: input.id }, now);
	return {
		application: {
			id: input.id,
			kind: application.kind,
			status: application.status,
			reference: application.reference
		},
		open: application.withdrawable,
		relief: application.relief,
		title: wizard.title(),
		nextSteps: wizard.nextSteps(),
		// After a 差し戻し the wizard opens at "check your answers" (or what is missing there).
		resume: application.status === 'returned' ? 'check' : null,
		returnItems: application.returnItems.map((item) => ({
			...item,
			label: stepTitle(application.kind, item.step)
		})),
		history: application.history
	};
}
