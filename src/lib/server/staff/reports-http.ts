// ACL-2 and ACL-4 reports as CSV (for spreadsheets) and PDF (for the file and the auditor).
import { error, type RequestEvent } from '@sveltejs/kit';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { servedMunicipality } from '../municipality/served';
import { db } from '../db';
import { renderTableReport } from '../documents/table-report';
import { rightsChanges, rightsReview } from './accounts';
import { toCsv } from '../csv';
import { tokyoDate, tokyoMinute } from '../time';
import { requirePermission } from './permissions';

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

async function respond(
	event: RequestEvent,
	report: 'rights_changes' | 'rights_review',
	title: string,
	lines: string[],
	columns: { header: string; width: number }[],
	rows: string[][]
): Promise<Response> {
	const staff = requirePermission(event.locals, 'staff.manage');
	const format = event.url.searchParams.get('format') === 'pdf' ? 'pdf' : 'csv';
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'staff.report',
		result: 'ok',
		payload: { report, format, rows: rows.length }
	});
	const stamp = tokyoDate(new Date());
	if (format === 'csv') {
		return new Response(
			toCsv(
				columns.map((column) => column.header),
				rows
			),
			{
				headers: {
					'Content-Type': 'text/csv; charset=utf-8',
					'Content-Disposition': `attachment; filename="${report}-${stamp}.csv"`
				}
			}
		);
	}
	const city = await servedMunicipality();
	const pdf = await renderTableReport({
		title,
		author: `${city.name_ja} ${city.division_ja}`,
		documentNumber: `${report.toUpperCase()}-${stamp}`,
		lines: [
			...lines,
			`出力者 Printed by: ${staff.displayName} (${staff.loginId})　出力日時 At: ${jst(new Date())}`
		],
		columns,
		rows
	});
	return new Response(Buffer.from(pdf), {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Disposition': `attachment; filename="${report}-${stamp}.pdf"`
		}
	});
}

export async function rightsChangesReport(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, 'staff.manage');
	const today = tokyoDate(new Date());
	const from = event.url.searchParams.get('from') || `${today.slice(0, 8)}01`;
	const to = event.url.searchParams.get('to') || today;
	if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from > to) error(400);
	// Whole JST days: from 00:00 on `from` to 24:00 on `to`.
	const start = new Date(`${from}T00:00:00+09:00`);
	const end = new Date(new Date(`${to}T00:00:00+09:00`).getTime() + 86_400_000);
	const changes = await rightsChanges(db(), {
		municipalityCode: staff.municipalityCode,
		from: start,
		to: end
	});
	return respond(
		event,
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

export async function rightsReviewReport(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, 'staff.manage');
	const rows = await rightsReview(db(), {
		municipalityCode: staff.municipalityCode,
		now: new Date()
	});
	return respond(
		event,
		'rights_review',
		'職員ID・アクセス権限 定期確認リスト / Periodic review of staff accounts and rights (ACL-4)',
		[`基準日 As of: ${tokyoDate(new Date())}　確認者署名欄 Reviewed by: ＿＿＿＿＿＿＿＿`],
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
