// Default rights per role for a new city (ACL-1). A city may change role_permission afterwards.
// Separation of duties is visible here: the contractor only enters, the auditor only reads the
// log, the admin manages accounts and settings but sees no health data.
export const defaultRolePermissions: Record<string, readonly string[]> = {
	caseworker: [
		'resident.read',
		'resident.search',
		'vaccination.read',
		'vaccination.enter',
		'vaccination.check',
		'vaccination.correct',
		'application.process',
		'document.issue',
		'mailing.manage'
	],
	approver: [
		'resident.read',
		'resident.search',
		'vaccination.read',
		'vaccination.check',
		'vaccination.correct',
		'application.process',
		'application.approve',
		'document.issue',
		'export.records',
		'mailing.manage'
	],
	desk: [
		'resident.read',
		'resident.search',
		'disclosure.handle',
		'identity.proof',
		'document.issue'
	],
	auditor: ['audit.read', 'audit.review'],
	admin: ['staff.manage', 'settings.manage', 'registry.import'],
	contractor: ['vaccination.enter'],
	relief_officer: [
		'resident.read',
		'resident.search',
		'vaccination.read',
		'relief.handle',
		'mynumber.read',
		'mynumber.write',
		'application.process',
		'document.issue'
	]
};
