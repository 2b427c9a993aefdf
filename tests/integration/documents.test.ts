// Documents (issue 6) against a real PostgreSQL and real PDF readers: every document type rendered
// for demo people — a child with 30+ doses whose name has 旧字 among them — is read back with
// poppler (pdftotext finds the holder, each vaccine and the document number; pdffonts shows
// embedded subsets) and passes qpdf --check. The certificate's QR, decoded from the rendered page,
// is a SMART Health Card that verifies against the published keys; one changed byte does not; the
// registry supersedes on reissue and revokes only with a second person.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jsQR from 'jsqr';
import { sql } from 'kysely';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { renderEnrolmentLetter } from '../../src/lib/server/documents/enrolment-letter';
import { verifyHealthCard } from '../../src/lib/server/documents/health-card';
import {
	CertificateContentError,
	certificateContent,
	issueCertificate
} from '../../src/lib/server/documents/issue';
import { noticeKinds, noticeTitle, renderNotice } from '../../src/lib/server/documents/notice';
import { renderOutsideRequest } from '../../src/lib/server/documents/outside-request';
import {
	decideRevocation,
	RevocationError,
	requestRevocation
} from '../../src/lib/server/documents/registry';
import { rotateSigningKey } from '../../src/lib/server/documents/signing-keys';
import { hit, limits } from '../../src/lib/server/auth/rate-limit';
import {
	healthCardFile,
	signingKeys,
	verifyCertificate
} from '../../src/lib/server/documents/verify';
import { addItem } from '../../src/lib/server/zone/items';
import { renderYoshinhyo } from '../../src/lib/server/documents/yoshinhyo';
import type { Municipality } from '../../src/lib/server/municipality';
import { japaneseOnlyCells, pdfBlocks } from '../support/pdf-cells';
import { checkHealthCard } from '../support/shc-conformance';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import { publishToZone, takeInFromZone } from '../support/publish';

const city = '139998';
const origin = 'https://portal.example.lg.jp';
const sealing = { id: 'test', key: randomBytes(32) };
const issuer = { type: 'staff' as const, id: 'staff-issuer', role: 'caseworker', department: null };
const approver = { ...issuer, id: 'staff-approver', role: 'approver' };
const work = mkdtempSync(path.join(os.tmpdir(), 'documents-'));
let database: TestDatabase;
let zone: TestPortalZone;
let municipality: Municipality;
let child: {
	atena_number: string;
	name_kanji: string;
	name_kana: string;
	birth_date: string;
	sex: string;
	postal_code: string;
	address: string;
};
let doses: { vaccine_code: string; dose_code: string; administered_on: string; name_en: string }[];

function poppler(bytes: Uint8Array, name: string) {
	const file = path.join(work, `${name}.pdf`);
	writeFileSync(file, bytes);
	// -raw keeps the order the text was drawn in, so a wrapped table cell stays together.
	const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
	const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' });
	const pages = Number(
		/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]
	);
	// qpdf --check exits non-zero on any structural error.
	execFileSync('qpdf', ['--check', file], { encoding: 'utf8' });
	return { file, text, fonts, pages };
}

/** Every font embedded as a subset (pdffonts: "ABCDEF+Name … emb yes sub yes"). */
function expectSubsetFonts(fonts: string) {
	const rows = fonts
		.split('\n')
		.slice(2)
		.filter((line) => line.trim());
	expect(rows.length).toBeGreaterThan(0);
	for (const row of rows) expect(row).toMatch(/^[A-Z]{6}\+\S+.*\byes\s+yes\s+yes\b/);
}

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await loadDemoCity(database.owner, {
		seed: 'documents',
		residents: 200,
		asOf: '2026-11-01',
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
	municipality = (await database.owner
		.selectFrom('municipality')
		.selectAll()
		.executeTakeFirstOrThrow()) as Municipality;
	const { rows } = await sql<typeof child>`
		SELECT atena_number, name_kanji, name_kana, birth_date, sex, postal_code, address
		FROM resident WHERE birth_date BETWEEN '2014-01-01' AND '2015-12-31' AND status = 'resident'
		ORDER BY atena_number LIMIT 1`.execute(database.owner);
	child = { ...rows[0]!, name_kanji: '髙橋 﨑太郎' };
	// A name with 旧字 (髙 はしごだか, 﨑 たつさき) as the registry holds it.
	await database.owner
		.updateTable('resident')
		.set({ name_kanji: child.name_kanji })
		.where('atena_number', '=', child.atena_number)
		.execute();
	// Every child dose of the catalogue, one after another: more than 30 rows.
	await database.owner
		.deleteFrom('vaccination_dose')
		.where('atena_number', '=', child.atena_number)
		.execute();
	const catalogue = await database.owner
		.selectFrom('vaccine_dose as d')
		.innerJoin('vaccine as v', (join) =>
			join
				.onRef('v.municipality_code', '=', 'd.municipality_code')
				.onRef('v.vaccine_code', '=', 'd.vaccine_code')
		)
		.select(['d.vaccine_code', 'd.dose_code', 'v.name_en'])
		.where('d.eligible_from', 'not like', 'P6%Y')
		.where('v.vaccine_code', 'not like', '%elderly')
		.where('v.vaccine_code', '<>', 'herpes_zoster')
		.orderBy('v.sort_order')
		.orderBy('d.sequence')
		.execute();
	const institution = await database.owner
		.selectFrom('medical_institution')
		.select('institution_code')
		.executeTakeFirstOrThrow();
	doses = catalogue.map((row, index) => ({
		...row,
		administered_on: new Date(Date.parse(child.birth_date) + (60 + index * 40) * 86_400_000)
			.toISOString()
			.slice(0, 10)
	}));
	await database.owner
		.insertInto('vaccination_dose')
		.values(
			doses.map((dose, index) => ({
				municipality_code: city,
				atena_number: child.atena_number,
				vaccine_code: dose.vaccine_code,
				dose_code: dose.dose_code,
				legal_basis: 'statutory',
				administered_on: dose.administered_on,
				institution_code: institution.institution_code,
				lot_number: `LT${String(index).padStart(4, '0')}`,
				// As 予診票 and handbooks write them: in Japanese, and once a maker not in the list.
				manufacturer: ['KMバイオロジクス', 'サノフィ', '北海道ワクチン研究所', 'BIKEN'][index % 4],
				status: 'administered',
				source: 'demo',
				entered_by: 'system:test',
				checked_by: 'system:checker',
				checked_at: new Date()
			}))
		)
		.execute();
	await rotateSigningKey(database.backoffice, { municipalityCode: city, sealing, now: new Date() });
});
afterAll(async () => {
	await zone?.close();
	await database?.close();
});

/**
 * The public pages on the portal zone (issue 27): what the back office has published, and each
 * look-up taken in for the audit log at once, as the pull would.
 */
const verifier = { type: 'anonymous' as const, id: 'anonymous', municipalityCode: city };
const portalRp = { origin, rpId: 'portal.example.lg.jp' };
const takeIn = () =>
	takeInFromZone(database.backoffice, zone.portal, { rp: portalRp, municipalityCode: city });
async function portalJwks() {
	await publishToZone(database.backoffice, zone.portal);
	return signingKeys(zone.portal, verifier);
}
async function verifyOnPortal(id: string) {
	await publishToZone(database.backoffice, zone.portal);
	const { outcome } = await verifyCertificate(zone.portal, verifier, { id });
	await takeIn();
	return outcome;
}

const certificatePayload = () => ({
	passport_name: 'TAKAHASHI SAKITARO',
	passport_number: 'TK1234567',
	nationality: 'JAPAN',
	doses: doses.map(({ vaccine_code, dose_code, administered_on }) => ({
		vaccine_code,
		dose_code,
		administered_on
	}))
});

const issue = (supersedes?: string) =>
	issueCertificate(database.backoffice, {
		municipality,
		subject: child,
		payload: certificatePayload(),
		applicationId: null,
		issuedBy: issuer.id,
		approvedBy: approver.id,
		supersedes,
		settings: { origin, sealing },
		actor: approver,
		now: new Date()
	});

describe('the English certificate', () => {
	it('lists every dose across pages, with subset fonts, and passes qpdf', async () => {
		expect(doses.length).toBeGreaterThanOrEqual(30);
		const issued = await issue();
		const pdf = poppler(issued.bytes, 'certificate');
		expect(pdf.pages).toBeGreaterThanOrEqual(2);
		const flat = pdf.text.replace(/\s+/g, ' ');
		expect(flat).toContain('TAKAHASHI SAKITARO');
		expect(flat).toContain('髙橋 﨑太郎');
		expect(flat).toContain('TK1234567');
		for (const name of new Set(doses.map((dose) => dose.name_en))) expect(flat).toContain(name);
		for (const index of doses.keys()) expect(flat).toContain(`LT${String(index).padStart(4, '0')}`);
		// The number on every page (running header), and on the certificate itself.
		expect(pdf.text.split('\f').filter((page) => page.includes(issued.documentNumber)).length).toBe(
			pdf.pages
		);
		// A long address may wrap inside the QR block.
		expect(flat.replace(/\s/g, '')).toContain(
			`${origin}/v/${issued.verifyCode.match(/.{4}/g)!.join('-')}`
		);
		expectSubsetFonts(pdf.fonts);
		// Every cell of the dose table has English (Japanese beside it where there is one), and
		// no vaccine name repeats itself (issue 25, item 2).
		const cells = pdfBlocks(pdf.file);
		expect(cells.filter((block) => block.text.includes('Sanofi')).length).toBeGreaterThan(0);
		expect(japaneseOnlyCells(cells, 'Vaccine /', 'This is to certify').map((c) => c.text)).toEqual(
			[]
		);
		expect(flat).not.toMatch(/Japanese encephalitis \(Japanese encephalitis\)/);
		expect(flat).not.toMatch(/\(Hib\) \(Haemophilus/);
		// The registry holds these exact bytes; the database's SHA-256 is theirs.
		const row = await database.owner
			.selectFrom('issued_document')
			.select(['sha256', 'content', 'issued_by', 'approved_by'])
			.where('id', '=', issued.id)
			.executeTakeFirstOrThrow();
		expect(Buffer.compare(row.content, Buffer.from(issued.bytes))).toBe(0);
		expect(row.sha256!.toString('hex')).toBe(
			createHash('sha256').update(issued.bytes).digest('hex')
		);
		expect(row).toMatchObject({ issued_by: issuer.id, approved_by: approver.id });
	});

	it('carries SMART Health Cards, each one QR of version 22 at most, that conform and verify', async () => {
		const issued = await issue();
		const pdf = poppler(issued.bytes, 'certificate-qr');
		// Read every QR from the rendered pages, as a phone would. jsQR finds one code per image,
		// so each page is cut into bands of ink along its left edge (where the codes are printed).
		const found: { data: string; version: number; modulePx: number }[] = [];
		for (let page = 1; page <= pdf.pages; page++) {
			const prefix = path.join(work, `qr-${page}`);
			execFileSync('pdftoppm', [
				'-r',
				'200',
				'-png',
				'-f',
				String(page),
				'-l',
				String(page),
				'-singlefile',
				pdf.file,
				prefix
			]);
			const png = PNG.sync.read(readFileSync(`${prefix}.png`));
			const strip = Math.floor(png.width * 0.45);
			const inked = (y: number) => {
				for (let x = 0; x < strip; x++) if (png.data[(y * png.width + x) * 4]! < 128) return true;
				return false;
			};
			const bands: [number, number][] = [];
			for (let y = 0, start = -1; y <= png.height; y++) {
				const ink = y < png.height && inked(y);
				if (ink && start < 0) start = y;
				if (!ink && start >= 0) {
					if (y - start > 200) bands.push([start, y]);
					start = -1;
				}
			}
			for (const [top, bottom] of bands) {
				const height = bottom - top + 40;
				const band = new Uint8ClampedArray(png.width * height * 4).fill(255);
				band.set(
					png.data.subarray(top * png.width * 4, bottom * png.width * 4),
					20 * png.width * 4
				);
				const code = jsQR(band, png.width, height);
				if (!code) continue;
				const { topLeftCorner: tl, topRightCorner: tr } = code.location;
				found.push({
					data: code.data,
					version: code.version,
					modulePx: Math.hypot(tr.x - tl.x, tr.y - tl.y) / (17 + 4 * code.version)
				});
			}
		}
		const stored = await database.owner
			.selectFrom('issued_document')
			.select(['health_cards', 'verify_summary'])
			.where('id', '=', issued.id)
			.executeTakeFirstOrThrow();
		// 30+ doses do not fit one QR: several cards, each labelled on the certificate.
		expect(found.length).toBeGreaterThanOrEqual(2);
		expect(found.map((code) => code.data).sort()).toEqual([...stored.health_cards!].sort());
		for (const code of found) {
			expect(code.data).toMatch(/^shc:\/\d+$/);
			expect(code.version).toBeLessThanOrEqual(22);
			// 0.5 mm at 200 dpi is 3.94 pixels.
			expect(code.modulePx).toBeGreaterThanOrEqual(3.9);
		}
		const labels = (stored.verify_summary as { cards: string[] }).cards;
		expect(labels).toHaveLength(found.length);
		const flat = pdf.text.replace(/\s+/g, ' ');
		for (const label of labels) expect(flat).toContain(label);
		// The short verify address on one printed line.
		const address = `${origin}/v/${issued.verifyCode.match(/.{4}/g)!.join('-')}`;
		expect(pdf.text.split('\n').some((line) => line.trim() === address)).toBe(true);
		// Title and language for readers and assistive technology.
		const info = execFileSync('pdfinfo', [pdf.file], { encoding: 'utf8' });
		expect(info).toMatch(/Title:\s+Certificate of Vaccination/);
		const objects = execFileSync('qpdf', ['--qdf', '--object-streams=disable', pdf.file, '-'], {
			encoding: 'latin1',
			maxBuffer: 64 * 1024 * 1024
		});
		expect(objects).toContain('/Lang (en-GB)');
		expect(objects).toMatch(/\/DisplayDocTitle true/);

		// Each card checked by a reader written from the spec, not by the issuing code.
		const jwks = await portalJwks();
		const immunizations: Record<string, unknown>[] = [];
		for (const code of found) {
			const report = checkHealthCard(code.data, jwks, origin);
			expect(report.problems, code.data.slice(0, 20)).toEqual([]);
			immunizations.push(
				...report.payload.vc.credentialSubject.fhirBundle.entry
					.map((entry) => entry.resource)
					.filter((resource) => resource.resourceType === 'Immunization')
			);
		}
		expect(immunizations).toHaveLength(doses.length);
		expect(immunizations).toContainEqual(
			expect.objectContaining({
				occurrenceDateTime: doses[0]!.administered_on,
				lotNumber: 'LT0000'
			})
		);
		const jws = issued.jws[0]!;
		await verifyHealthCard(jws, jwks);
		await expect(
			database.portal.selectFrom('document_signing_key').select('sealed_private').execute()
		).rejects.toThrow(/permission denied/);

		// One changed character of the payload or the signature: refused.
		const [header, payload, signature] = jws.split('.') as [string, string, string];
		const flip = (text: string, at: number) =>
			text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
		await expect(
			verifyHealthCard(`${header}.${flip(payload, 10)}.${signature}`, jwks)
		).rejects.toThrow();
		await expect(
			verifyHealthCard(`${header}.${payload}.${flip(signature, 5)}`, jwks)
		).rejects.toThrow();

		// After a rotation the old certificate still verifies; new ones use the new key.
		const { kid } = await rotateSigningKey(database.backoffice, {
			municipalityCode: city,
			sealing,
			now: new Date()
		});
		const rotated = await portalJwks();
		expect(rotated.keys.length).toBeGreaterThanOrEqual(2);
		await verifyHealthCard(jws, rotated);
		const next = await issue();
		expect(JSON.parse(Buffer.from(next.jws[0]!.split('.')[0]!, 'base64url').toString()).kid).toBe(
			kid
		);
	});

	it('is superseded by a reissue and revoked only when a second person agrees', async () => {
		const first = await issue();
		const second = await issue(first.id);
		expect(await verifyOnPortal(first.verifyId)).toMatchObject({
			found: true,
			status: 'superseded',
			cardsFile: null
		});
		await expect(issue(first.id)).rejects.toThrow(/only a valid document/);

		const revocation = await requestRevocation(database.backoffice, {
			municipalityCode: city,
			documentId: second.id,
			reason: '記録の誤りによる再交付のため',
			actor: issuer,
			now: new Date()
		});
		const refused = await decideRevocation(database.backoffice, {
			municipalityCode: city,
			revocationId: revocation.id,
			decision: 'revoked',
			note: '',
			actor: issuer,
			now: new Date()
		}).catch((failure) => failure);
		expect(refused).toBeInstanceOf(RevocationError);
		expect((refused as RevocationError).code).toBe('own_request');
		expect(await verifyOnPortal(second.verifyId)).toMatchObject({
			status: 'valid',
			cardsFile: `/verify/${second.verifyId}/health-cards`
		});
		// The printed short code, typed as people type it: lower case, with or without hyphens or
		// spaces, O for 0 and l for 1; the long id of the same certificate still works.
		const typed = [
			second.verifyCode,
			second.verifyCode.toLowerCase(),
			second.verifyCode.match(/.{4}/g)!.join('-'),
			second.verifyCode.match(/.{4}/g)!.join(' ').toLowerCase(),
			second.verifyCode.replace(/0/g, 'O').replace(/1/g, 'l')
		];
		for (const verifyId of typed) {
			expect(await verifyOnPortal(verifyId), verifyId).toMatchObject({
				found: true,
				status: 'valid',
				documentNumber: second.documentNumber
			});
		}
		expect(
			await verifyOnPortal(
				`${second.verifyCode.slice(0, 11)}X`.replace(
					/X$/,
					second.verifyCode.endsWith('X') ? 'Y' : 'X'
				)
			)
		).toEqual({ found: false });
		await decideRevocation(database.backoffice, {
			municipalityCode: city,
			revocationId: revocation.id,
			decision: 'revoked',
			note: '',
			actor: approver,
			now: new Date()
		});
		const outcome = await verifyOnPortal(second.verifyId);
		expect(outcome).toMatchObject({ found: true, status: 'revoked', cardsFile: null });
		// The bytes never change and a revoked document stays revoked.
		await expect(
			database.owner
				.updateTable('issued_document')
				.set({ content: Buffer.from('%PDF-forged') })
				.where('id', '=', second.id)
				.execute()
		).rejects.toThrow(/never rewritten/);
		await expect(
			database.owner
				.updateTable('issued_document')
				.set({ status: 'valid', status_changed_at: null })
				.where('id', '=', second.id)
				.execute()
		).rejects.toThrow(/stays so/);
		const { rows } = await sql<{ action: string; result: string; actor_id: string }>`
			SELECT action, result, actor_id FROM audit.entry WHERE object_id = ${second.id}
				AND action IN ('document.issue', 'document.revoke', 'document.verify') ORDER BY seq`.execute(
			database.owner
		);
		expect(rows.map((row) => [row.action, row.result])).toEqual([
			['document.issue', 'ok'],
			['document.revoke', 'ok'],
			['document.revoke', 'denied'],
			['document.verify', 'ok'],
			// The five ways of typing the short code.
			...Array.from({ length: 5 }, () => ['document.verify', 'ok']),
			['document.revoke', 'ok'],
			['document.verify', 'ok']
		]);
		// An unknown verify id: nothing shown, and the attempt is logged.
		const unknown = randomBytes(16).toString('base64url');
		expect(await verifyOnPortal(unknown)).toEqual({ found: false });
		const denied = await database.owner
			.selectFrom('audit.entry')
			.select(['result', 'actor_type'])
			.where('action', '=', 'document.verify')
			.where('object_id', '=', unknown)
			.execute();
		expect(denied).toEqual([{ result: 'denied', actor_type: 'anonymous' }]);
		// The portal's word is checked: a look-up naming a certificate the back office never issued,
		// or made from an account, is refused and audits nothing.
		for (const [document, account] of [
			[randomUUID(), null],
			[second.id, randomUUID()]
		] as const)
			await addItem(zone.owner, {
				kind: 'verify_lookup',
				resident_account_id: account,
				body: JSON.stringify({ document, asked: 'forged', file: false }),
				object_id: null
			});
		expect((await takeIn()).map((item) => item.outcome)).toEqual(['refused', 'refused']);
	});

	it('asks a verifier past the limit per address to wait, and reports nothing more', async () => {
		const { verifyCode } = await issue();
		await publishToZone(database.backoffice, zone.portal);
		const from = (ip: string) => ({
			...verifier,
			context: { requestId: `limit-${ip}`, ip, userAgent: null, sessionHash: null }
		});
		const limit = limits.verifyPerIp('192.0.2.9');
		for (let i = 0; i < limit.max - 1; i++) await hit(zone.portal, limit);
		const reported = () =>
			zone.owner
				.selectFrom('exchange_item')
				.select((eb) => eb.fn.countAll<string>().as('n'))
				.where('kind', '=', 'verify_lookup')
				.executeTakeFirstOrThrow()
				.then((row) => Number(row.n));
		const before = await reported();
		// The last one within the limit is answered and reported; the next is refused, unreported.
		expect(
			(await verifyCertificate(zone.portal, from('192.0.2.9'), { id: verifyCode })).outcome
		).toMatchObject({ found: true, status: 'valid' });
		await expect(
			verifyCertificate(zone.portal, from('192.0.2.9'), { id: verifyCode })
		).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
		await expect(
			healthCardFile(zone.portal, from('192.0.2.9'), { id: verifyCode })
		).rejects.toMatchObject({ code: 'rate_limited' });
		expect(await reported()).toBe(before + 1);
		// Another address is not held up by it.
		expect(
			(await verifyCertificate(zone.portal, from('192.0.2.10'), { id: verifyCode })).outcome
		).toMatchObject({ found: true });
		await takeIn();
	});
});

describe('the catalogue’s standard codes', () => {
	it('gives every active vaccine a CVX or SNOMED CT code', async () => {
		const uncoded = await database.owner
			.selectFrom('vaccine')
			.select('vaccine_code')
			.where('active', '=', true)
			.where('cvx_code', 'is', null)
			.where('snomed_code', 'is', null)
			.execute();
		expect(uncoded).toEqual([]);
		expect(
			await database.owner.selectFrom('vaccine').select('vaccine_code').execute()
		).not.toHaveLength(0);
	});
});

describe('what a certificate may list', () => {
	// Issue 25, item 1: a certificate of doses only in the 母子健康手帳 was issued with an empty
	// table. A certificate lists checked doses only, the keyed-for-this-case ones included, and is
	// refused when it would list none or a dose asked for still awaits its check.
	it('is refused empty or with an unchecked dose, and lists a checked dose once it is', async () => {
		const refusal = (payload: Record<string, unknown>) =>
			issueCertificate(database.backoffice, {
				municipality,
				subject: child,
				payload,
				applicationId: null,
				issuedBy: issuer.id,
				approvedBy: approver.id,
				settings: { origin, sealing },
				actor: approver,
				now: new Date()
			}).then(
				() => null,
				(failure) => (failure instanceof CertificateContentError ? failure.code : String(failure))
			);
		const base = { ...certificatePayload(), doses: [], doses_from_handbook: true };
		expect(await refusal(base)).toBe('certificate_empty');
		const [first] = doses;
		const chosen = {
			vaccine_code: first!.vaccine_code,
			dose_code: first!.dose_code,
			administered_on: first!.administered_on
		};
		await database.owner
			.updateTable('vaccination_dose')
			.set({ checked_by: null, checked_at: null })
			.where('atena_number', '=', child.atena_number)
			.where('vaccine_code', '=', chosen.vaccine_code)
			.where('dose_code', '=', chosen.dose_code)
			.execute();
		expect(await refusal({ ...base, doses: [chosen] })).toBe('dose_unchecked');
		const waiting = await certificateContent(database.backoffice, {
			municipalityCode: city,
			atena: child.atena_number,
			chosen: [chosen],
			applicationId: null
		});
		expect(waiting).toMatchObject({ doses: [], problem: 'dose_unchecked' });
		expect(waiting.waiting).toHaveLength(1);
		await database.owner
			.updateTable('vaccination_dose')
			.set({ checked_by: 'system:checker', checked_at: new Date() })
			.where('atena_number', '=', child.atena_number)
			.where('vaccine_code', '=', chosen.vaccine_code)
			.where('dose_code', '=', chosen.dose_code)
			.execute();
		expect(await refusal({ ...base, doses: [chosen] })).toBeNull();
	});
});

describe('the other documents', () => {
	const person = () => ({
		nameKanji: child.name_kanji,
		nameKana: child.name_kana,
		birthDate: child.birth_date,
		sex: child.sex as 'male' | 'female',
		postalCode: child.postal_code,
		address: child.address
	});

	it('renders the 予診票 and the 実施依頼書 with the person printed', async () => {
		const yoshinhyo = poppler(
			await renderYoshinhyo({
				municipality,
				documentNumber: 'YS-2026-0000001',
				issuedOn: '2026-11-23',
				person: person(),
				guardianName: '髙橋 花子',
				vaccine: { nameJa: '日本脳炎', doseJa: '2期' },
				reissue: true
			}),
			'yoshinhyo'
		);
		const flatY = yoshinhyo.text.replace(/\s+/g, ' ');
		for (const expected of [child.name_kanji, '日本脳炎', 'YS-2026-0000001', '髙橋 花子', '再発行'])
			expect(flatY).toContain(expected);
		expect(flatY).toContain('ひきつけ');
		expectSubsetFonts(yoshinhyo.fonts);

		const request = poppler(
			await renderOutsideRequest({
				municipality,
				documentNumber: 'ID-2026-0000002',
				issuedOn: '2026-11-23',
				person: person(),
				guardianName: null,
				vaccine: { nameJa: '麻しん風しん混合（MR）', doseJa: '1期' },
				placeMunicipality: '鹿児島市',
				placeInstitution: '天文館こどもクリニック',
				periodFrom: '2026-12-01',
				periodUntil: '2027-03-31',
				reason: '里帰り出産のため'
			}),
			'outside-request'
		);
		const flatR = request.text.replace(/\s+/g, ' ');
		for (const expected of [
			child.name_kanji,
			'麻しん風しん混合',
			'ID-2026-0000002',
			'鹿児島市長 様',
			'里帰り出産'
		])
			expect(flatR).toContain(expected);
		expectSubsetFonts(request.fonts);
	});

	it('renders every decision notice, with the 教示 on each that can be appealed', async () => {
		// Every decision is appealable (a 支給決定 for its amount); only the extension decides
		// nothing. Relief is a 第一号法定受託事務: its 審査請求 goes to the governor (issue 25, item 5).
		const notAppealable = ['disclosure_extension'];
		const governor = ['relief_granted', 'relief_denied'];
		const division = ['application_approved', 'application_rejected', ...governor];
		for (const kind of noticeKinds) {
			const number = `TN-2026-${kind}`;
			const pdf = poppler(
				await renderNotice({
					municipality,
					kind,
					documentNumber: number,
					issuedOn: '2026-11-23',
					recipient: {
						postalCode: child.postal_code,
						address: child.address,
						name: child.name_kanji
					},
					details: [['申請の種類', '英文予防接種証明書の交付']],
					reason:
						kind.endsWith('approved') || kind.endsWith('granted') || kind === 'disclosure_full'
							? null
							: '第三者の情報を含むため'
				}),
				`notice-${kind}`
			);
			const flat = pdf.text.replace(/\s+/g, '');
			expect(flat).toContain(noticeTitle(kind).titleJa.replace(/\s+/g, ''));
			expect(flat).toContain(child.name_kanji.replace(/\s+/g, ''));
			expect(flat).toContain(number);
			const english = pdf.text.replace(/\s+/g, ' ');
			if (notAppealable.includes(kind)) {
				expect(flat).not.toContain('審査請求');
				expect(english).not.toContain('request for review');
			} else {
				expect(flat, kind).toContain('教示');
				expect(flat).toContain(
					governor.includes(kind)
						? `3か月以内に、${municipality.prefecture_ja}知事に対して審査請求`
						: `3か月以内に、${municipality.mayor_title_ja}に対して審査請求`
				);
				expect(flat).toContain('取消しを求める訴え');
				expect(flat).toContain('6か月以内');
				expect(english).toContain('How to appeal');
				expect(english).toContain(
					governor.includes(kind)
						? `with the Governor of ${municipality.prefecture_en} within 3 months`
						: `with the ${municipality.mayor_title_en} within 3 months`
				);
				expect(english).toContain('action to revoke this decision');
			}
			// The division answers for its own decisions; the privacy desk for the privacy law's.
			expect(flat).toContain(
				(division.includes(kind) ? municipality.division_ja : municipality.desk_name_ja).replace(
					/\s+/g,
					''
				)
			);
			expectSubsetFonts(pdf.fonts);
		}
	});

	it('renders the enrolment letter', async () => {
		const pdf = poppler(
			await renderEnrolmentLetter({
				municipality,
				recipient: {
					postalCode: child.postal_code,
					address: child.address,
					name: child.name_kanji
				},
				code: 'ABCD-EFGH-JKMN-PQRS',
				expiresOn: '2026-12-23',
				portalUrl: origin,
				issuedOn: '2026-11-23',
				documentNumber: 'EL-2026-0000003'
			}),
			'enrolment'
		);
		const flat = pdf.text.replace(/\s+/g, ' ');
		for (const expected of [child.name_kanji, 'ABCD-EFGH-JKMN-PQRS', 'EL-2026-0000003'])
			expect(flat).toContain(expected);
		expectSubsetFonts(pdf.fonts);
	});
});
