// The product's role and permission catalogue (DOMAIN.md §2, ACL-1). Which permissions each role
// carries in a city is data in role_permission, set when the city is created.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
INSERT INTO role (code, name_ja, name_en) VALUES
	('caseworker', '担当者', 'Caseworker'),
	('approver', '決裁者', 'Approver'),
	('desk', '窓口担当', 'Contact desk'),
	('auditor', '監査担当', 'Auditor'),
	('admin', 'システム管理者', 'System administrator'),
	('contractor', '入力委託', 'Data-entry contractor'),
	('relief_officer', '健康被害救済担当', 'Relief officer');

INSERT INTO permission (code, description_ja, description_en) VALUES
	('resident.read', '住民情報の閲覧', 'View resident records'),
	('resident.search', '住民の検索', 'Search residents'),
	('mynumber.read', '個人番号の閲覧（事由の記録が必要）', 'View 個人番号 (a reason is recorded)'),
	('mynumber.write', '個人番号の登録', 'Record 個人番号'),
	('vaccination.read', '予防接種記録の閲覧', 'View vaccination records'),
	('vaccination.enter', '予防接種記録の入力', 'Enter vaccination records'),
	('vaccination.check', '予防接種記録の確認（入力者以外）', 'Check vaccination records (not the author)'),
	('application.process', '申請の処理', 'Process applications'),
	('application.approve', '申請の決裁', 'Approve applications'),
	('document.issue', '証明書・通知書の発行', 'Issue certificates and notices'),
	('relief.handle', '健康被害救済の処理', 'Handle relief cases'),
	('disclosure.handle', '開示・訂正・利用停止請求の処理', 'Handle disclosure, correction and suspension requests'),
	('identity.proof', '窓口での本人確認と利用者登録', 'Identity proofing and enrolment at the desk'),
	('audit.read', '監査ログの閲覧', 'Read the audit log'),
	('audit.review', '監査ログの点検記録', 'Record audit log reviews'),
	('staff.manage', '職員アカウントと権限の管理', 'Manage staff accounts and roles'),
	('settings.manage', '設定・ワクチン台帳マスタの管理', 'Manage settings and the vaccine catalogue'),
	('export.records', '記録の出力', 'Export records');
`.execute(db);
}
