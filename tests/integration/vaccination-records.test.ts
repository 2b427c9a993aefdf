// Keying 予診票 into the ledger against a real PostgreSQL (back-office role): a dose entered by A
// is "awaiting check" for everyone until B checks it; A cannot check their own entry (refused,
// audited, and stopped by the database too); bad dose data comes back as field errors.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { vaccinationRecord, type Person } from '../../src/lib/server/residents/household';
import {
	checkDose,
	DoseCheckError,
	DoseEntryError,
	enterDose,
	pendingDoses,
	type DoseEntry
} from '../../src/lib/server/vaccinations/records';
import { freshDatabase, type TestDatabase } from '../support/database';

const city = '139998';
const context = { requestId: 'test', ip: null, userAgent: null, sessionHash: null };
const anna = {
	type: 'staff' as const,
	id: 'staff-anna',
	role: 'contractor',
	department: '入力委託'
};
const ben = {
	type: 'staff' as const,
	id: 'staff-ben',
	role: 'caseworker',
	department: '健康増進課'
};
let database: TestDatabase;
let child: Person;
let institution: string;

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		seed: 'records',
		residents: 300,
		asOf: '2026-11-01',
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
	// A child under 7 with no 五種混合 dose on record.
	const { rows } = await sql<{ atena_number: string; birth_date: string; name_kanji: string }>`
		SELECT r.atena_number, r.birth_date, r.name_kanji FROM resident r
		WHERE r.birth_date BETWEEN '2019-06-01' AND '2026-09-01' AND r.status = 'resident'
			AND NOT EXISTS (SELECT 1 FROM vaccination_dose d WHERE d.atena_number = r.atena_number
				AND d.vaccine_code = 'dpt_ipv_hib')
		LIMIT 1`.execute(database.owner);
	const row = rows[0]!;
	child = {
		ref: '',
		atenaNumber: row.atena_number,
		relation: 'child',
		nameKanji: row.name_kanji,
		nameKana: '',
		birthDate: row.birth_date,
		sex: 'female'
	};
	institution = (
		await database.owner
			.selectFrom('medical_institution')
			.select('institution_code')
			.executeTakeFirstOrThrow()
	).institution_code;
});
afterAll(() => database.close());

const entry = (values: Partial<DoseEntry> = {}): DoseEntry => ({
	atena: child.atenaNumber,
	dose: 'dpt_ipv_hib:primary_1',
	administeredOn: '2026-10-01',
	institution,
	lot: 'AB123C',
	manufacturer: '',
	...values
});
const enter = (values: Partial<DoseEntry> = {}, actor = anna) =>
	enterDose(database.backoffice, {
		municipalityCode: city,
		entry: entry(values),
		actor,
		context,
		today: '2026-11-23',
		now: new Date()
	});
const fieldErrors = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(failure) => (failure instanceof DoseEntryError ? failure.errors : String(failure))
	);

describe('entering doses with a second person', () => {
	it('keeps a dose awaiting check until someone else checks it', async () => {
		const { id } = await enter();
		const pending = async () =>
			(await vaccinationRecord(database.backoffice, city, child, 'ja', new Date())).history.find(
				(dose) => dose.vaccineCode === 'dpt_ipv_hib' && dose.doseCode === 'primary_1'
			)?.pendingCheck;
		expect(await pending()).toBe(true);
		const list = await pendingDoses(database.backoffice, {
			municipalityCode: city,
			viewerId: anna.id
		});
		expect(list.find((dose) => dose.id === id)).toMatchObject({ own: true });

		await expect(
			checkDose(database.backoffice, {
				municipalityCode: city,
				id,
				actor: anna,
				context,
				now: new Date()
			})
		).rejects.toThrow(DoseCheckError);
		expect(await pending()).toBe(true);
		// The database stops it as well.
		await expect(
			database.owner
				.updateTable('vaccination_dose')
				.set({ checked_by: anna.id, checked_at: new Date() })
				.where('id', '=', id)
				.execute()
		).rejects.toThrow(/check/);

		await checkDose(database.backoffice, {
			municipalityCode: city,
			id,
			actor: ben,
			context,
			now: new Date()
		});
		expect(await pending()).toBe(false);
		await expect(
			checkDose(database.backoffice, {
				municipalityCode: city,
				id,
				actor: ben,
				context,
				now: new Date()
			})
		).rejects.toThrow(/not_pending/);
		const { rows } = await sql<{ action: string; result: string; actor_id: string }>`
			SELECT action, result, actor_id FROM audit.entry WHERE object_id = ${id}
				AND action LIKE 'vaccination.%' ORDER BY seq`.execute(database.owner);
		expect(rows).toEqual([
			{ action: 'vaccination.enter', result: 'ok', actor_id: anna.id },
			{ action: 'vaccination.check', result: 'denied', actor_id: anna.id },
			{ action: 'vaccination.check', result: 'ok', actor_id: ben.id },
			{ action: 'vaccination.check', result: 'denied', actor_id: ben.id }
		]);
	});

	it('refuses impossible doses field by field', async () => {
		expect(
			await fieldErrors(enter({ administeredOn: '2027-01-01', dose: 'dpt_ipv_hib:primary_2' }))
		).toEqual({
			administeredOn: 'date_in_future'
		});
		expect(
			await fieldErrors(
				enter({
					administeredOn: new Date(Date.parse(child.birthDate) - 86_400_000)
						.toISOString()
						.slice(0, 10),
					dose: 'dpt_ipv_hib:primary_2'
				})
			)
		).toMatchObject({
			administeredOn: 'date_before_birth'
		});
		// The first dose (2026-10-01) is on record: the second cannot come before it.
		expect(
			await fieldErrors(enter({ administeredOn: '2026-09-01', dose: 'dpt_ipv_hib:primary_2' }))
		).toEqual({
			dose: 'dose_out_of_order'
		});
		expect(await fieldErrors(enter())).toEqual({ dose: 'dose_already_recorded' });
		expect(
			await fieldErrors(
				enter({ dose: 'dpt_ipv_hib:primary_2', administeredOn: '2026-11-01', lot: 'x?' })
			)
		).toEqual({ lot: 'lot_format' });
		expect(
			await fieldErrors(
				enter({
					dose: 'dpt_ipv_hib:primary_2',
					administeredOn: '2026-11-01',
					institution: '0000000000'
				})
			)
		).toEqual({ institution: 'institution_unknown' });
		expect(await fieldErrors(enter({ dose: 'nothing:here' }))).toMatchObject({
			dose: 'dose_unknown'
		});
		// Full-width lot numbers typed from the label are read as what they are.
		expect(
			await fieldErrors(
				enter({ dose: 'dpt_ipv_hib:primary_2', administeredOn: '2026-11-01', lot: 'ａｂ１２３ｃ' })
			)
		).toBeNull();
	});
});
