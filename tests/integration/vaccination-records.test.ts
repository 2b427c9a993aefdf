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
import {
	decideDoseChange,
	DoseChangeError,
	doseHistory,
	pendingDoseChanges,
	requestDoseChange,
	type DoseCorrection
} from '../../src/lib/server/vaccinations/corrections';
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
const carol = { ...ben, id: 'staff-carol' };
const dan = { ...ben, id: 'staff-dan', role: 'approver' };
let database: TestDatabase;
let child: Person;
let secondChild: Person;
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
		ORDER BY r.atena_number LIMIT 2`.execute(database.owner);
	[child, secondChild] = rows.map((row) => ({
		ref: '',
		atenaNumber: row.atena_number,
		relation: 'child' as const,
		nameKanji: row.name_kanji,
		nameKana: '',
		birthDate: row.birth_date,
		sex: 'female' as const
	})) as [Person, Person];
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

describe('corrections and voids with a second person', () => {
	const today = '2026-11-23';
	const doseOf = async (doseCode: string) =>
		(
			await vaccinationRecord(database.backoffice, city, secondChild, 'ja', new Date())
		).history.find((dose) => dose.vaccineCode === 'dpt_ipv_hib' && dose.doseCode === doseCode);
	const correction = (values: Partial<DoseCorrection> = {}): DoseCorrection => ({
		dose: 'dpt_ipv_hib:primary_1',
		administeredOn: '2026-10-05',
		institution,
		lot: 'LOT111',
		manufacturer: '',
		...values
	});
	const ask = (
		doseId: string,
		change: Parameters<typeof requestDoseChange>[1]['change'],
		actor = carol,
		reason = '予診票の読み違い'
	) =>
		requestDoseChange(database.backoffice, {
			municipalityCode: city,
			doseId,
			change,
			reason,
			actor,
			context,
			today,
			now: new Date()
		});
	const decide = (
		changeId: string,
		decision: 'applied' | 'declined',
		actor: typeof ben = ben,
		note = ''
	) =>
		decideDoseChange(database.backoffice, {
			municipalityCode: city,
			changeId,
			decision,
			note,
			actor,
			context,
			today,
			now: new Date()
		});
	const refusal = (promise: Promise<unknown>) =>
		promise.then(
			() => null,
			(failure) => (failure instanceof DoseChangeError ? failure.code : fieldErrors(promise))
		);
	let first: string;

	it('keeps the recorded values until someone other than the requester applies the correction', async () => {
		first = (
			await enter(
				{
					atena: secondChild.atenaNumber,
					administeredOn: '2026-10-05',
					lot: 'LOT111'
				},
				anna
			)
		).id;
		await checkDose(database.backoffice, {
			municipalityCode: city,
			id: first,
			actor: ben,
			context,
			now: new Date()
		});
		const change = await ask(first, {
			kind: 'correct',
			form: correction({ administeredOn: '2026-10-06', lot: 'ｌｏｔ112' })
		});
		// Nothing changes for residents or certificates while the correction waits.
		expect((await doseOf('primary_1'))?.administeredOn).toBe('2026-10-05');
		expect(
			(
				await pendingDoseChanges(database.backoffice, {
					municipalityCode: city,
					viewerId: carol.id
				})
			)
				.filter((row) => row.doseId === first)
				.map(({ kind, fields, own }) => ({ kind, fields, own }))
		).toEqual([{ kind: 'correct', fields: ['administeredOn', 'lotNumber'], own: true }]);
		// One open change per dose.
		expect(await refusal(ask(first, { kind: 'void' }, dan))).toBe('change_open');
		// The requester cannot apply it; nor can the database be made to.
		expect(await refusal(decide(change.id, 'applied', carol))).toBe('own_change');
		await expect(
			database.owner
				.updateTable('vaccination_dose_change')
				.set({ decision: 'applied', decided_by: carol.id, decided_at: new Date() })
				.where('id', '=', change.id)
				.execute()
		).rejects.toThrow(/check/);
		expect((await doseOf('primary_1'))?.administeredOn).toBe('2026-10-05');

		await decide(change.id, 'applied', ben);
		expect((await doseOf('primary_1'))?.administeredOn).toBe('2026-10-06');
		expect(await refusal(decide(change.id, 'applied', dan))).toBe('not_open');
		// A decided change is history: it cannot be rewritten.
		await expect(
			database.owner
				.updateTable('vaccination_dose_change')
				.set({ reason: 'something else' })
				.where('id', '=', change.id)
				.execute()
		).rejects.toThrow(/never rewritten/);

		const history = await doseHistory(database.backoffice, {
			municipalityCode: city,
			doseId: first,
			viewerId: dan.id
		});
		expect(history?.version).toBe(2);
		expect(
			history?.versions.map((version) => ({
				version: version.version,
				on: version.values?.administeredOn,
				lot: version.values?.lotNumber,
				by: version.by,
				checkedBy: version.checkedBy
			}))
		).toEqual([
			{ version: 2, on: '2026-10-06', lot: 'LOT112', by: carol.id, checkedBy: ben.id },
			{ version: 1, on: '2026-10-05', lot: 'LOT111', by: anna.id, checkedBy: ben.id }
		]);

		const { rows } = await sql<{
			action: string;
			result: string;
			actor_id: string;
			reason: string | null;
		}>`
			SELECT action, result, actor_id, reason FROM audit.entry WHERE object_id = ${first}
				AND action IN ('vaccination.correct', 'vaccination.check') ORDER BY seq`.execute(database.owner);
		expect(rows).toEqual([
			{ action: 'vaccination.check', result: 'ok', actor_id: ben.id, reason: null },
			{
				action: 'vaccination.correct',
				result: 'ok',
				actor_id: carol.id,
				reason: '予診票の読み違い'
			},
			{ action: 'vaccination.check', result: 'denied', actor_id: carol.id, reason: null },
			{ action: 'vaccination.check', result: 'ok', actor_id: ben.id, reason: null },
			{ action: 'vaccination.check', result: 'denied', actor_id: dan.id, reason: null }
		]);
	});

	it('refuses a correction that changes nothing or breaks the record', async () => {
		expect(
			await refusal(
				ask(first, {
					kind: 'correct',
					form: correction({ administeredOn: '2026-10-06', lot: 'LOT112' })
				})
			)
		).toBe('no_difference');
		await enter(
			{
				atena: secondChild.atenaNumber,
				dose: 'dpt_ipv_hib:primary_2',
				administeredOn: '2026-11-10'
			},
			anna
		);
		expect(
			await refusal(
				ask(first, {
					kind: 'correct',
					form: correction({ administeredOn: '2026-11-15', lot: 'LOT112' })
				})
			)
		).toEqual({ dose: 'dose_out_of_order' });
		expect(
			await refusal(
				ask(first, { kind: 'correct', form: correction({ administeredOn: '2026-12-01' }) })
			)
		).toMatchObject({ administeredOn: 'date_in_future' });
	});

	it('voids a dose only when a second person agrees, after which it counts nowhere', async () => {
		const second = (await doseOf('primary_2'))!.id;
		const declined = await ask(second, { kind: 'void' });
		await decide(declined.id, 'declined', ben, '予診票の原本で接種を確認');
		expect(await doseOf('primary_2')).toBeDefined();

		const voiding = await ask(second, { kind: 'void' }, carol, '二重入力');
		// Two checkers at once: exactly one applies it.
		const outcomes = await Promise.allSettled([
			decide(voiding.id, 'applied', ben),
			decide(voiding.id, 'applied', dan)
		]);
		expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
		expect(
			outcomes.flatMap((outcome) =>
				outcome.status === 'rejected' ? [(outcome.reason as DoseChangeError).code] : []
			)
		).toEqual(['not_open']);

		expect(await doseOf('primary_2')).toBeUndefined();
		expect(
			(await pendingDoses(database.backoffice, { municipalityCode: city, viewerId: ben.id })).some(
				(dose) => dose.id === second
			)
		).toBe(false);
		expect(await refusal(ask(second, { kind: 'void' }))).toBe('voided');
		await expect(
			checkDose(database.backoffice, {
				municipalityCode: city,
				id: second,
				actor: ben,
				context,
				now: new Date()
			})
		).rejects.toThrow(/not_pending/);
		// The voided dose no longer blocks the right entry.
		await enter(
			{
				atena: secondChild.atenaNumber,
				dose: 'dpt_ipv_hib:primary_2',
				administeredOn: '2026-11-12'
			},
			anna
		);
		expect((await doseOf('primary_2'))?.administeredOn).toBe('2026-11-12');

		const history = await doseHistory(database.backoffice, {
			municipalityCode: city,
			doseId: second,
			viewerId: ben.id
		});
		expect(history?.voided).toBe(true);
		expect(history?.versions.map((version) => version.values?.administeredOn ?? 'voided')).toEqual([
			'voided',
			'2026-11-10'
		]);
		expect(history?.changes.map((change) => [change.kind, change.decision, change.note])).toEqual([
			['void', 'applied', null],
			['void', 'declined', '予診票の原本で接種を確認']
		]);
	});
});
