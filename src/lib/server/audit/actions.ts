// The enumerated audit actions. An action not listed here cannot be recorded; those marked
// reasonRequired cannot be recorded without a 処理事由.
export const auditActions = {
	'resident.view': { reasonRequired: false },
	'resident.search': { reasonRequired: false },
	'resident.update': { reasonRequired: true },
	'mynumber.record': { reasonRequired: true },
	'mynumber.view': { reasonRequired: true },
	'vaccination.view': { reasonRequired: false },
	'vaccination.enter': { reasonRequired: false },
	'vaccination.check': { reasonRequired: false },
	'vaccination.correct': { reasonRequired: true },
	'vaccination.void': { reasonRequired: true },
	'application.submit': { reasonRequired: false },
	'application.view': { reasonRequired: false },
	'application.approve': { reasonRequired: false },
	'application.reject': { reasonRequired: true },
	'application.return': { reasonRequired: true },
	'application.withdraw': { reasonRequired: false },
	'document.render': { reasonRequired: false },
	'document.download': { reasonRequired: false },
	'auth.sign_in': { reasonRequired: false },
	'auth.sign_out': { reasonRequired: false },
	'staff.create': { reasonRequired: false },
	'staff.role_change': { reasonRequired: true },
	'audit.view': { reasonRequired: false },
	'audit.verify': { reasonRequired: false },
	'system.demo_load': { reasonRequired: false },
	'system.registry_import': { reasonRequired: false }
} as const satisfies Record<string, { reasonRequired: boolean }>;

export type AuditAction = keyof typeof auditActions;

export function isAuditAction(name: string): name is AuditAction {
	return Object.hasOwn(auditActions, name);
}
