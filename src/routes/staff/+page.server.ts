import type { PageServerLoad } from './$types';

// hooks.server.ts has already refused requests without a staff session.
export const load: PageServerLoad = ({ locals }) => {
	const staff = locals.staff!;
	return {
		displayName: staff.displayName,
		loginId: staff.loginId,
		roles: staff.roles,
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
			handleDisclosure: staff.permissions.has('disclosure.handle'),
			manageSettings: staff.permissions.has('settings.manage')
		}
	};
};
