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
	'auth.enrolment_issue': { reasonRequired: false },
	'auth.enrolment_claim': { reasonRequired: false },
	'auth.register': { reasonRequired: false },
	'auth.credential_rename': { reasonRequired: false },
	'auth.credential_revoke': { reasonRequired: false },
	'auth.credential_flag': { reasonRequired: false },
	'auth.sign_in': { reasonRequired: false },
	'auth.sign_out': { reasonRequired: false },
	'auth.sign_out_all': { reasonRequired: false },
	'auth.session_timeout': { reasonRequired: false },
	'auth.sign': { reasonRequired: false },
	'auth.ceremony': { reasonRequired: false },
	'staff.create': { reasonRequired: false },
	'staff.role_change': { reasonRequired: true },
	'staff.role_grant': { reasonRequired: true },
	'staff.role_revoke': { reasonRequired: true },
	'staff.deactivate': { reasonRequired: true },
	'staff.list': { reasonRequired: false },
	'staff.report': { reasonRequired: false },
	'notification.outbox_view': { reasonRequired: false },
	'audit.view': { reasonRequired: false },
	'audit.verify': { reasonRequired: false },
	'system.demo_load': { reasonRequired: false },
	'system.registry_import': { reasonRequired: false }
} as const satisfies Record<string, { reasonRequired: boolean }>;

export type AuditAction = keyof typeof auditActions;

export function isAuditAction(name: string): name is AuditAction {
	return Object.hasOwn(auditActions, name);
}
