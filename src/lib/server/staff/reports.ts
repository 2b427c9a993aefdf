// ACL-2 and ACL-4 reports as CSV (for spreadsheets) and PDF (for the file and the auditor):
// who was given or lost which right, and the periodic review list. Every export is audited.
import { auditAs, requirePermission, type Caller, type StaffCaller } from '../audit/caller';
import { toCsv } from '../csv';
import type { Executor } from '../db';
import { renderTableReport } from '../documents/table-report';
import { DomainError } from '../errors';
import { findServedMunicipality } from '../municipality';
import { tokyoDate, tokyoMinute } from '../time';
import { rightsChanges, rightsReview } from './accounts';
import { m } from '$lib/paraglide/messages';

export class ReportPeriodError extends DomainError<'period_invalid'> {
	protected readonly messages = { period_invalid: m.error_invalid_value };
}

export type ReportFile = { fileName: string; contentType: string; content: Uint8Array | string };

const kindsJa: Record<string, string> = {
	account_created: 'アカウント作成',
	role_granted: '権限付与',
	role_revoked: '権限取消',
	account_deactivated: 'アカウント停止'
};

function jst(date: Date | null): string {
	if (!date) return '';
	return tokyoMinute(date);
}

async function reportFile(
	db: Executor,
	caller: StaffCaller,
	format: 'csv' | 'pdf',
	now: Date,
	report: 'rights_changes' | 'rights_review',
	title: string,
	lines: string[],
	columns: { header: string; width: number }[],
	rows: string[][]
): Promise<ReportFile> {
	await auditAs(db, caller, {
		action: 'staff.report',
		result: 'ok',
		payload: { report, format, rows: rows.length }
	});
	const stamp = tokyoDate(now);
	if (format === 'csv') {
		return {
			fileName: `${report}-${stamp}.csv`,
			contentType: 'text/csv; charset=utf-8',
			content: toCsv(
				columns.map((column) => column.header),
				rows
			)
		};
	}
	const city = (await findServedMunicipality(db, caller.municipalityCode))!;
	const pdf = await renderTableReport({
		title,
		author: `${city.name_ja} ${city.division_ja}`,
		documentNumber: `${report.toUpperCase()}-${stamp}`,
		lines: [
			...lines,
			`出力者 Printed by: ${caller.displayName} (${caller.loginId})　出力日時 At: ${jst(now)}`
		],
		columns,
		rows
	});
	return { fileName: `${report}-${stamp}.pdf`, contentType: 'application/pdf', content: pdf };
}

/** ACL-2: every change of rights in a period (this month so far unless asked). */
export async function rightsChangesReport(
	db: Executor,
	caller: Caller,
	input: { from: string | null; to: string | null; format: 'csv' | 'pdf' },
	now = new Date()
): Promise<ReportFile> {
	requirePermission(caller, 'staff.manage');
	const today = tokyoDate(now);
	const from = input.from || `${today.slice(0, 8)}01`;
	const to = input.to || today;
	if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) {
		throw new ReportPeriodError('period_invalid');
	}
	// Whole JST days: from 00:00 on `from` to 24:00 on `to`.
	const start = new Date(`${from}T00:00:00+09:00`);
	const end = new Date(new Date(`${to}T00:00:00+09:00`).getTime() + 86_400_000);
	const changes = await rightsChanges(db, {
		municipalityCode: caller.municipalityCode,
		from: start,
		to: end
	});
	return reportFile(
		db,
		caller,
		input.format,
		now,
		'rights_changes',
		'職員アクセス権限 変更一覧 / Changes of staff rights (ACL-2)',
		[`対象期間 Period: ${from} 〜 ${to}`],
		[
			{ header: '日時 Time', width: 13 },
			{ header: '区分 Change', width: 11 },
			{ header: 'ログインID Login', width: 11 },
			{ header: '氏名 Name', width: 10 },
			{ header: '所属 Department', width: 12 },
			{ header: '権限 Role', width: 10 },
			{ header: '有効期間 Valid', width: 16 },
			{ header: '実施者 By', width: 10 },
			{ header: '理由 Reason', width: 16 }
		],
		changes.map((change) => [
			jst(change.at),
			kindsJa[change.kind] ?? change.kind,
			change.loginId,
			change.displayName,
			change.department,
			change.role ?? '',
			change.validFrom ? `${change.validFrom}〜${change.validUntil ?? ''}` : '',
			change.by ?? '',
			change.reason ?? ''
		])
	);
}

/** ACL-4: every account with its rights, for the periodic review and its signature. */
export async function rightsReviewReport(
	db: Executor,
	caller: Caller,
	input: { format: 'csv' | 'pdf' },
	now = new Date()
): Promise<ReportFile> {
	requirePermission(caller, 'staff.manage');
	const rows = await rightsReview(db, { municipalityCode: caller.municipalityCode, now });
	return reportFile(
		db,
		caller,
		input.format,
		now,
		'rights_review',
		'職員ID・アクセス権限 定期確認リスト / Periodic review of staff accounts and rights (ACL-4)',
		[`基準日 As of: ${tokyoDate(now)}　確認者署名欄 Reviewed by: ＿＿＿＿＿＿＿＿`],
		[
			{ header: 'ログインID Login', width: 12 },
			{ header: '氏名 Name', width: 11 },
			{ header: '所属 Department', width: 13 },
			{ header: '状態 Status', width: 6 },
			{ header: '権限（有効期間）Roles (valid)', width: 26 },
			{ header: 'パスキー Passkeys', width: 7 },
			{ header: '最終利用 Last used', width: 13 },
			{ header: '作成日 Created', width: 10 }
		],
		rows.map((row) => [
			row.loginId,
			row.displayName,
			row.department,
			row.active ? '有効' : '停止',
			row.roles,
			String(row.passkeys),
			jst(row.lastSignIn),
			jst(row.createdAt).slice(0, 10)
		])
	);
}
