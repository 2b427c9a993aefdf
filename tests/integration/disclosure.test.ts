// Deciding 開示・訂正・利用停止請求 against a real PostgreSQL (issue 8): the package for a demo
// person gathers every category the city holds and nothing about anyone else (checked by
// scanning the PDF's text with pdftotext for every other resident's name and 宛名番号); withheld
// text is absent from the PDF's text layer; the decision follows from what was withheld; an
// accepted correction waits for a second person; an accepted suspension is recorded.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import {
	assemblePackage,
	decideCorrection,
	decideDisclosure,
	decideSuspension,
	DeskDecisionError,
	loadPackage,
	setWithholding
} from '../../src/lib/server/desk/decisions';
import { logInquiry } from '../../src/lib/server/desk/inquiries';
import { packageCategories } from '../../src/lib/server/documents/disclosure';
import { registerDeskRequest, type DeskRequestInput } from '../../src/lib/server/desk/requests';
import { registerDocument } from '../../src/lib/server/documents/registry';
import { applyReliefAction, openAtDesk } from '../../src/lib/server/relief/cases';
import { decideDoseChange, requestDoseChange } from '../../src/lib/server/vaccinations/corrections';
import { staffCaller } from '../support/callers';
import { freshDatabase, type TestDatabase } from '../support/database';

const city = '139998';
const today = '2026-11-23';
const desk = { type: 'staff' as const, id: 'desk-1', role: 'desk', department: '行政管理課' };
const checker = { type: 'staff' as const, id: 'approver-1', role: 'approver', department: null };
const officer = {
	type: 'staff' as const,
	id: 'relief-1',
	role: 'relief_officer',
	department: null,
	permissions: new Set(['relief.handle'])
};
let database: TestDatabase;
let child: { atena: string; name: string; guardian: string };
let doseId: string;
const internalNote = '父親の勤務先から苦情の電話あり（第三者情報）';
const inquiryText = '近所の方から接種の有無を尋ねられたとの相談';

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		seed: 'disclosure',
		residents: 150,
		asOf: '2026-11-01',
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
	// A child with recorded doses and a guardian on the register.
	const { rows } = await sql<{ atena: string; name: string; guardian: string; dose: string }>`
		SELECT c.atena_number AS atena, c.name_kanji AS name, g.guardian_atena_number AS guardian,
			min(d.id)::text AS dose
		FROM resident c
		JOIN guardianship g ON g.municipality_code = c.municipality_code
			AND g.child_atena_number = c.atena_number
		JOIN vaccination_dose d ON d.municipality_code = c.municipality_code
			AND d.atena_number = c.atena_number AND d.voided_at IS NULL AND d.lot_number IS NOT NULL
		WHERE c.status = 'resident'
		GROUP BY 1, 2, 3 ORDER BY 1 LIMIT 1`.execute(database.owner);
	child = rows[0]!;
	doseId = rows[0]!.dose;
});
afterAll(() => database.close());

const register = (values: Partial<DeskRequestInput> = {}) =>
	registerDeskRequest(database.backoffice, {
		municipalityCode: city,
		request: {
			kind: 'disclosure',
			channel: 'desk',
			subjectAtenaNumber: child.atena,
			requesterType: 'legal_representative',
			requesterName: '法定代理人 請求者',
			powerOfAttorney: false,
			identityDocuments: ['my_number_card', 'legal_representative_proof'],
			whatRequested: '予防接種に関して市が保有する子の情報の一切',
			receivedOn: today,
			...values
		},
		actor: desk,
		today,
		now: new Date()
	});
const base = (requestId: string) => ({
	municipalityCode: city,
	requestId,
	actor: desk,
	now: new Date(),
	today
});
const refusal = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(failure) => (failure instanceof DeskDecisionError ? failure.code : String(failure))
	);
const pdfText = (bytes: Uint8Array | Buffer) => {
	const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'disclosure-')), 'out.pdf');
	writeFileSync(file, bytes);
	execFileSync('qpdf', ['--check', file]);
	return execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
};
const compact = (text: string) => text.replace(/\s+/g, '');

describe('the disclosure package', () => {
	it('holds every category about the person, nothing about anyone else, and no withheld text', async () => {
		// Data about the child in every part of the product.
		const lot = (
			await database.owner
				.selectFrom('vaccination_dose')
				.select('lot_number')
				.where('id', '=', doseId)
				.executeTakeFirstOrThrow()
		).lot_number!;
		const change = await requestDoseChange(database.backoffice, {
			municipalityCode: city,
			doseId,
			change: { kind: 'void' },
			reason: '二重登録の疑い',
			actor: desk,
			today,
			now: new Date()
		});
		await decideDoseChange(database.backoffice, {
			municipalityCode: city,
			changeId: change.id,
			decision: 'declined',
			note: '二重登録ではない',
			actor: checker,
			context: { requestId: 't', ip: null, userAgent: null, sessionHash: null },
			today,
			now: new Date()
		});
		const account = await database.owner
			.selectFrom('resident_account')
			.select('id')
			.limit(1)
			.executeTakeFirst();
		const applicantId =
			account?.id ??
			(
				await database.owner
					.insertInto('resident_account')
					.values({
						municipality_code: city,
						atena_number: child.guardian,
						user_handle: randomBytes(32)
					})
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		const application = await database.owner
			.insertInto('application')
			.values({
				municipality_code: city,
				kind: 'reissue',
				applicant_account_id: applicantId,
				subject_atena_number: child.atena,
				status: 'submitted',
				stage: 'new',
				reference: 'R2026-990001',
				current_version: 1,
				draft: JSON.stringify({ reason: 'lost', vaccines: ['mr'] }),
				created_at: new Date(),
				updated_at: new Date(),
				submitted_at: new Date()
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const photo = await sharp({
			create: { width: 60, height: 40, channels: 3, background: '#777777' }
		})
			.png()
			.toBuffer();
		await database.owner
			.insertInto('attachment')
			.values({
				application_id: application.id,
				purpose: 'boshi_techo',
				file_name: 'boshitecho-page3.png',
				content_type: 'image/png',
				content: photo,
				sha256: randomBytes(32),
				size_bytes: photo.length,
				created_at: new Date()
			})
			.execute();
		const relief = await openAtDesk(database.backoffice, {
			municipalityCode: city,
			subjectAtenaNumber: child.atena,
			claimantName: '保護者',
			category: 'A',
			benefits: ['medical_expenses'],
			receivedOn: '2026-10-01',
			missingDocuments: [],
			actor: officer,
			now: new Date()
		});
		await applyReliefAction(database.backoffice, {
			caseId: relief.id,
			municipalityCode: city,
			action: 'start_check',
			values: { publicNote: '書類を確認しています。', internalNote },
			actor: officer,
			now: new Date(),
			today
		});
		const inquiry = await logInquiry(
			database.backoffice,
			staffCaller(city, desk, ['disclosure.handle']),
			{
				inquiry: {
					kind: 'inquiry',
					channel: 'phone',
					callerName: '第三者 花子',
					subjectAtenaNumber: child.atena,
					subject: inquiryText
				}
			}
		);
		const documentNumber = 'YS-2026-0099001';
		await registerDocument(database.backoffice, {
			municipalityCode: city,
			kind: 'reissue',
			documentNumber,
			subjectAtenaNumber: child.atena,
			applicationId: application.id,
			language: 'ja',
			fileName: 'yoshinhyo.pdf',
			bytes: new Uint8Array([37, 80, 68, 70]),
			issuedBy: 'caseworker-1',
			approvedBy: null,
			actor: desk,
			now: new Date()
		});
		const { id } = await register();
		expect(
			await refusal(decideDisclosure(database.backoffice, { ...base(id), delivery: 'desk' }))
		).toBe('no_package');
		expect(await assemblePackage(database.backoffice, base(id))).toBeGreaterThan(5);
		const pack = (await loadPackage(database.backoffice, id))!;
		// Every category of build item 3 is there.
		// (A young child has no portal account of their own: their guardian signs in.)
		expect([...new Set(pack.items.map((item) => item.category))].sort()).toEqual(
			packageCategories.filter((category) => category !== 'account').sort()
		);
		expect(pack.items.some((item) => item.key === `dose:${doseId}`)).toBe(true);
		expect(pack.items.some((item) => item.key === `dose_change:${change.id}`)).toBe(true);
		expect(pack.items.some((item) => item.key === `inquiry:${inquiry.id}`)).toBe(true);
		// The access log records who used the records and why.
		expect(pack.items.filter((item) => item.category === 'audit').length).toBeGreaterThan(3);
		// Read by the person, not by staff: no value is a code of the product (issue 25).
		const code =
			/^[a-z]+(?:[._][a-z]+)+$|^(ok|denied|valid|completed|in_review|submitted|open|pay|desk|phone)$/;
		const codes = pack.items.flatMap((item) => [
			...(code.test(item.title.split(' ').at(-1) ?? '') ? [item.title] : []),
			...item.fields
				.filter((field) => code.test(field.value))
				.map((field) => `${item.key} ${field.label}: ${field.value}`)
		]);
		expect(codes).toEqual([]);

		// Withhold the relief case's internal note (a passage) and the inquiry (the whole item).
		const note = pack.items.find(
			(item) =>
				item.category === 'relief' && item.fields.some((field) => field.value === internalNote)
		)!;
		expect(
			await refusal(
				setWithholding(database.backoffice, {
					...base(id),
					itemKey: note.key,
					field: '内部メモ / Internal note',
					ground: 'no_such_ground'
				})
			)
		).toBe('ground_required');
		expect(
			await refusal(
				setWithholding(database.backoffice, {
					...base(id),
					itemKey: 'dose:0',
					field: '',
					ground: 'third_party'
				})
			)
		).toBe('item_unknown');
		await setWithholding(database.backoffice, {
			...base(id),
			itemKey: note.key,
			field: '内部メモ / Internal note',
			ground: 'third_party',
			note: '父親の勤務先の情報'
		});
		await setWithholding(database.backoffice, {
			...base(id),
			itemKey: `inquiry:${inquiry.id}`,
			field: '',
			ground: 'third_party'
		});
		// Gathering again keeps what was withheld.
		await assemblePackage(database.backoffice, base(id));
		expect((await loadPackage(database.backoffice, id))!.withheld).toHaveLength(2);
		expect(
			await refusal(decideDisclosure(database.backoffice, { ...base(id), delivery: 'portal' }))
		).toBe('delivery_invalid');

		const decided = await decideDisclosure(database.backoffice, { ...base(id), delivery: 'desk' });
		expect(decided.decision).toBe('partial');
		const [notice, copy] = await Promise.all(
			decided.documents.map((documentId) =>
				database.owner
					.selectFrom('issued_document')
					.select(['content', 'kind', 'released_at', 'available_until'])
					.where('id', '=', documentId)
					.executeTakeFirstOrThrow()
			)
		);
		expect([notice!.kind, copy!.kind]).toEqual(['notice', 'disclosure']);
		// On paper: not in anyone's 発行書類 in the portal.
		expect(copy!.released_at).toBeNull();

		const text = pdfText(copy!.content);
		// The attached photo itself is copied in, not only listed.
		expect(text).toContain('添付書類の写し');
		const copyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'disclosure-')), 'copy.pdf');
		writeFileSync(copyFile, copy!.content);
		const images = execFileSync('pdfimages', ['-list', copyFile], { encoding: 'utf8' });
		expect(images).toMatch(/\b60\s+40\b/);
		const flat = compact(text);
		expect(flat).toContain(compact(child.name));
		expect(flat).toContain(lot);
		expect(flat).toContain('boshitecho-page3.png');
		expect(flat).toContain(documentNumber);
		expect(flat).toContain('書類を確認しています。');
		expect(flat).toContain('二重登録の疑い');
		expect(flat).toContain('第78条第1項第2号');
		// Withheld text is not in the text layer — not covered, absent.
		expect(flat).not.toContain(compact(internalNote));
		expect(flat).not.toContain(compact(inquiryText));
		expect(flat).not.toContain('第三者花子');
		expect(flat).not.toContain('父親の勤務先の情報');
		// Nothing about anyone else: no other resident's name or 宛名番号, not the guardian's either.
		const others = await database.owner
			.selectFrom('resident')
			.select(['atena_number', 'name_kanji'])
			.where('atena_number', '<>', child.atena)
			.execute();
		const leaked = others.filter(
			(row) =>
				text.includes(row.atena_number) ||
				(compact(row.name_kanji) !== compact(child.name) && flat.includes(compact(row.name_kanji)))
		);
		expect(leaked).toEqual([]);
		expect(others.length).toBeGreaterThan(100);

		// The notice: 部分開示, the ground, the pages and the fee (the demo city: ¥10 a page).
		const pages = await database.owner
			.selectFrom('desk_request')
			.select(['pages', 'fee_yen', 'status', 'decision'])
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
		expect(pages).toMatchObject({ status: 'decided', decision: 'partial' });
		expect(pages.fee_yen).toBe(pages.pages! * 10);
		const noticeText = compact(pdfText(notice!.content));
		expect(noticeText).toContain('保有個人情報の部分開示決定通知書');
		expect(noticeText).toContain('第78条第1項第2号');
		expect(noticeText).toContain(`${pages.pages}枚`);
		expect(noticeText).toContain('教示');
		// Decided once.
		expect(await refusal(assemblePackage(database.backoffice, base(id)))).toBe('not_open');

		// The audit trail: assembled twice, withheld (with refusals), decided — never the text.
		const { rows } = await sql<{ action: string; result: string }>`
			SELECT action, result FROM audit.entry WHERE object_id = ${id} ORDER BY seq`.execute(
			database.owner
		);
		expect(rows.map((row) => `${row.action}:${row.result}`)).toEqual([
			'desk.request:ok',
			'desk.decide:denied',
			'desk.assemble:ok',
			'desk.withhold:denied',
			'desk.withhold:denied',
			'desk.withhold:ok',
			'desk.withhold:ok',
			'desk.assemble:ok',
			'desk.decide:denied',
			'desk.decide:ok',
			'desk.assemble:denied'
		]);
		const payloads = await sql<{ payload: unknown }>`
			SELECT p.payload FROM audit.entry e JOIN audit.payload p USING (municipality_code, seq)
			WHERE e.object_id = ${id}`.execute(database.owner);
		expect(JSON.stringify(payloads.rows)).not.toContain(internalNote);
	});

	it('decides 不開示 when everything is withheld, and 全部開示 when nothing is', async () => {
		const full = await register();
		await assemblePackage(database.backoffice, base(full.id));
		expect(
			(await decideDisclosure(database.backoffice, { ...base(full.id), delivery: 'mail' })).decision
		).toBe('full');
		const none = await register();
		await assemblePackage(database.backoffice, base(none.id));
		for (const item of (await loadPackage(database.backoffice, none.id))!.items) {
			await setWithholding(database.backoffice, {
				...base(none.id),
				itemKey: item.key,
				field: '',
				ground: 'self_protection'
			});
		}
		const decided = await decideDisclosure(database.backoffice, {
			...base(none.id),
			delivery: 'desk'
		});
		expect(decided).toMatchObject({ decision: 'none' });
		// No copy to give: only the notice, with no fee.
		expect(decided.documents).toHaveLength(1);
		const row = await database.owner
			.selectFrom('desk_request')
			.select(['fee_yen', 'pages'])
			.where('id', '=', none.id)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ fee_yen: 0, pages: 0 });
	});
});

describe('訂正 and 利用停止 outcomes', () => {
	const decidedDisclosure = async () => {
		const { id } = await register();
		await assemblePackage(database.backoffice, base(id));
		await decideDisclosure(database.backoffice, { ...base(id), delivery: 'desk' });
		return id;
	};

	it('turns an accepted correction into a pending correction a second person applies', async () => {
		const disclosure = await decidedDisclosure();
		const { id } = await register({
			kind: 'correction',
			followsDisclosure: disclosure,
			whatRequested: 'ロット番号の誤り'
		});
		const dose = await database.owner
			.selectFrom('vaccination_dose')
			.selectAll()
			.where('id', '=', doseId)
			.executeTakeFirstOrThrow();
		expect(
			await refusal(
				decideCorrection(database.backoffice, {
					...base(id),
					delivery: 'desk',
					outcome: { accepted: false, reason: ' ' }
				})
			)
		).toBe('reason_required');
		const decided = await decideCorrection(database.backoffice, {
			...base(id),
			delivery: 'mail',
			outcome: {
				accepted: true,
				doseId,
				form: {
					dose: `${dose.vaccine_code}:${dose.dose_code}`,
					administeredOn: dose.administered_on,
					institution: dose.institution_code ?? '',
					lot: 'ZZ9999',
					manufacturer: dose.manufacturer ?? ''
				}
			}
		});
		expect(decided.decision).toBe('accepted');
		const request = await database.owner
			.selectFrom('desk_request')
			.select(['dose_change_id', 'decision'])
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
		// The ledger is unchanged until someone else applies it (ACC-1).
		expect(
			(
				await database.owner
					.selectFrom('vaccination_dose')
					.select('lot_number')
					.where('id', '=', doseId)
					.executeTakeFirstOrThrow()
			).lot_number
		).toBe(dose.lot_number);
		const context = { requestId: 't', ip: null, userAgent: null, sessionHash: null };
		await expect(
			decideDoseChange(database.backoffice, {
				municipalityCode: city,
				changeId: String(request.dose_change_id),
				decision: 'applied',
				note: '',
				actor: desk,
				context,
				today,
				now: new Date()
			})
		).rejects.toThrow();
		await decideDoseChange(database.backoffice, {
			municipalityCode: city,
			changeId: String(request.dose_change_id),
			decision: 'applied',
			note: '',
			actor: checker,
			context,
			today,
			now: new Date()
		});
		expect(
			(
				await database.owner
					.selectFrom('vaccination_dose')
					.select('lot_number')
					.where('id', '=', doseId)
					.executeTakeFirstOrThrow()
			).lot_number
		).toBe('ZZ9999');
		const notice = await database.owner
			.selectFrom('issued_document')
			.select('content')
			.where('id', '=', decided.documents[0]!)
			.executeTakeFirstOrThrow();
		expect(compact(pdfText(notice.content))).toContain('保有個人情報の訂正をする旨の決定通知書');
	});

	it('records an accepted suspension, and refuses one without a reason', async () => {
		const disclosure = await decidedDisclosure();
		const rejected = await register({ kind: 'suspension', followsDisclosure: disclosure });
		expect(
			await refusal(
				decideSuspension(database.backoffice, {
					...base(rejected.id),
					delivery: 'desk',
					accepted: false,
					reason: ''
				})
			)
		).toBe('reason_required');
		const decided = await decideSuspension(database.backoffice, {
			...base(rejected.id),
			delivery: 'desk',
			accepted: false,
			reason: '法令に基づく事務に必要な記録のため'
		});
		expect(decided.decision).toBe('rejected');
		const notice = await database.owner
			.selectFrom('issued_document')
			.select('content')
			.where('id', '=', decided.documents[0]!)
			.executeTakeFirstOrThrow();
		const text = compact(pdfText(notice.content));
		expect(text).toContain('保有個人情報の利用停止をしない旨の決定通知書');
		expect(text).toContain('教示');

		const accepted = await register({ kind: 'suspension', followsDisclosure: disclosure });
		await decideSuspension(database.backoffice, {
			...base(accepted.id),
			delivery: 'desk',
			accepted: true,
			reason: ''
		});
		const suspension = await database.owner
			.selectFrom('use_suspension')
			.selectAll()
			.where('request_id', '=', accepted.id)
			.executeTakeFirstOrThrow();
		expect(suspension).toMatchObject({ atena_number: child.atena, since: today, lifted_on: null });
		await expect(
			database.portal.selectFrom('use_suspension').selectAll().execute()
		).rejects.toThrow(/permission denied/);
	});
});
