import { deadlineCounts } from '$lib/server/desk/counter';
import { exchangeWarning } from '$lib/server/exchange/standing';
import { asStaff } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

// How close the desk's statutory deadlines are: shown on the home page so that nobody has to open
// the desk's list to notice a request running out of time.
const soonDays = 3;

// hooks.server.ts has already refused requests without a staff session.
export const load: PageServerLoad = async ({ locals }) => {
	const staff = locals.staff!;
	const handleDisclosure = staff.permissions.has('disclosure.handle');
	const counts = await deadlineCounts(...asStaff(locals), soonDays);
	return {
		// The portal's items not taken in, or taken in late (issue 27): everyone working the queues
		// needs to know that what residents sent may not be there yet.
		exchangeWarning: await exchangeWarning(...asStaff(locals)),
		displayName: staff.displayName,
		loginId: staff.loginId,
		roles: staff.roles,
		deskClock: { ...counts, soonDays },
		can: {
			manageStaff: staff.permissions.has('staff.manage'),
			proveIdentity: staff.permissions.has('identity.proof'),
			processApplications: staff.permissions.has('application.process'),
			searchResidents: staff.permissions.has('resident.search'),
			enterDoses:
				staff.permissions.has('vaccination.enter') || staff.permissions.has('vaccination.check'),
			readAudit: staff.permissions.has('audit.read'),
			issueDocuments: staff.permissions.has('document.issue'),
			handleRelief: staff.permissions.has('relief.handle'),
			handleDisclosure,
			manageSettings: staff.permissions.has('settings.manage'),
			manageMailings: staff.permissions.has('mailing.manage'),
			importRegistry: staff.permissions.has('registry.import'),
			exportRecords: staff.permissions.has('export.records'),
			exchangeRecords:
				staff.permissions.has('export.records') ||
				staff.permissions.has('vaccination.enter') ||
				staff.permissions.has('settings.manage')
		}
	};
};
