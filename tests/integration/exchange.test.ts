// Vaccination records in bulk against a real database: the FHIR export conforms to the official
// FHIR R4 JSON schema (a validator package, not a hand check), the CSV export holds no 個人番号
// and reads back, imports refuse bad lines by number and leave the good ones awaiting a second
// person's check — unless the source is trusted — and a 転入者's records need their consent.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { generateHouseholds } from '../../src/lib/server/demo/generate';
import {
	doseCsvColumns,
	dosesCsv,
	dosesForExport,
	importDoses,
	parseDoseCsv,
	parseImmunizationBundle,
	TransferConsentError
} from '../../src/lib/server/vaccinations/exchange';
import { fhirSchemaErrors, immunizationBundle } from '../../src/lib/server/vaccinations/fhir';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestResident } from '../support/fixtures';

const city = '139998';
const demo = { seed: '3', residents: 300, asOf: '2026-11-01' };
// The demo's 個人番号, as generated: none of them may appear in an export.
const myNumbers = [...generateHouseholds(demo)].flatMap((household) =>
	household.myNumbers.map((entry) => entry.value)
);
const holdsMyNumber = (text: string) => myNumbers.some((value) => text.includes(value));
const issuer = 'https://vaccination.example.lg.jp';
const now = new Date('2026-11-30T10:00:00+09:00');
const actor = { type: 'system', id: 'exchange-test', role: 'system' } as const;
let database: TestDatabase;

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		...demo,
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
});
afterAll(async () => database?.close());

describe('exporting the 予防接種台帳', () => {
	it('gives FHIR R4 that the schema accepts, and the schema refuses a broken one', async () => {
		const { people, doses } = await dosesForExport(database.backoffice, { municipalityCode: city });
		expect(doses.length).toBeGreaterThan(100);
		const bundle = immunizationBundle(issuer, people, doses, now);
		expect(fhirSchemaErrors(bundle)).toEqual([]);
		const immunizations = bundle.entry
			.map((entry) => entry.resource)
			.filter((resource) => resource.resourceType === 'Immunization');
		expect(immunizations.length).toBe(doses.length);
		for (const resource of immunizations.slice(0, 50))
			expect(fhirSchemaErrors(resource)).toEqual([]);
		// Each Immunization points at a Patient in the bundle, identified by 宛名番号 only.
		const patientIds = new Set(
			bundle.entry
				.filter((entry) => entry.resource.resourceType === 'Patient')
				.map((entry) => `Patient/${entry.resource.id}`)
		);
		for (const resource of immunizations)
			expect(
				patientIds.has((resource as { patient: { reference: string } }).patient.reference)
			).toBe(true);
		expect(myNumbers.length).toBeGreaterThan(250);
		expect(holdsMyNumber(JSON.stringify(bundle))).toBe(false);

		const broken = { ...immunizations[0], status: 'done', occurrenceDateTime: 20250101 };
		expect(fhirSchemaErrors(broken).length).toBeGreaterThan(0);
		expect(fhirSchemaErrors({ ...immunizations[0], patient: undefined }).length).toBeGreaterThan(0);
	});

	it('gives the documented CSV, without 個人番号, that reads back line for line', async () => {
		const { doses } = await dosesForExport(database.backoffice, { municipalityCode: city });
		const csv = dosesCsv(doses);
		expect(csv.split('\r\n')[0]).toBe(`\ufeff${doseCsvColumns.join(',')}`);
		expect(holdsMyNumber(csv)).toBe(false);
		const parsed = parseDoseCsv(csv);
		expect(parsed.errors).toEqual([]);
		expect(parsed.doses.length).toBe(doses.filter((dose) => !dose.voided).length);
		expect(parsed.doses[0]).toMatchObject({
			atenaNumber: doses[0]!.atenaNumber,
			vaccineCode: doses[0]!.vaccineCode
		});
	});
});

describe('importing doses', () => {
	const header = doseCsvColumns.join(',');
	const institution = async () =>
		(
			await database.owner
				.selectFrom('medical_institution')
				.select('institution_code')
				.limit(1)
				.executeTakeFirstOrThrow()
		).institution_code;

	it('takes the good lines, reports the bad ones by number, and leaves them for a second person', async () => {
		await insertTestResident(database.owner, city, '800001', '2025-06-01');
		const clinic = await institution();
		const csv = [
			header,
			`800001,bcg,single,2025-11-20,${clinic},,乾燥BCGワクチン,日本ビーシージー製造,KH123,0.03,statutory,`,
			`800001,unknown,dose_1,2025-11-20,${clinic},,,,,,statutory,`,
			`800001,hepatitis_b,dose_1,2025-13-01,${clinic},,,,,,statutory,`,
			`800001,hepatitis_b,dose_1,2025-08-01,,他市の医院,,,,,statutory`,
			`800001,hepatitis_b,dose_1,2025-05-01,${clinic},,,,,,statutory,`
		].join('\n');
		const report = await importDoses(database.backoffice, {
			municipalityCode: city,
			format: 'csv',
			sourceName: 'vendor-kenko',
			transferConsent: null,
			parsed: parseDoseCsv(csv),
			actor,
			now
		});
		expect(report.inserted).toBe(1);
		expect(report.trusted).toBe(false);
		expect(report.errors).toEqual([
			{ line: 3, field: 'dose', code: 'dose_unknown' },
			{ line: 4, field: 'administered_on', code: 'invalid' },
			{ line: 5, field: null, code: 'column_count' },
			{ line: 6, field: 'administeredOn', code: 'date_before_birth' }
		]);
		const stored = await database.owner
			.selectFrom('vaccination_dose')
			.select(['vaccine_code', 'checked_by', 'entered_by', 'source', 'lot_number'])
			.where('atena_number', '=', '800001')
			.execute();
		expect(stored).toEqual([
			{
				vaccine_code: 'bcg',
				checked_by: null,
				entered_by: `import:${report.id}`,
				source: 'import',
				lot_number: 'KH123'
			}
		]);
		// The same file again: the dose is on record, so its line is refused and nothing doubles.
		const again = await importDoses(database.backoffice, {
			municipalityCode: city,
			format: 'csv',
			sourceName: 'vendor-kenko',
			transferConsent: null,
			parsed: parseDoseCsv(csv),
			actor,
			now
		});
		expect(again.inserted).toBe(0);
		expect(again.errors[0]).toEqual({ line: 2, field: 'dose', code: 'dose_already_recorded' });
	});

	it('checks nothing twice from a source the city trusts', async () => {
		await database.owner
			.updateTable('municipality')
			.set({ trusted_dose_sources: ['vendor-kenko'] })
			.execute();
		await insertTestResident(database.owner, city, '800002', '2025-06-01');
		const report = await importDoses(database.backoffice, {
			municipalityCode: city,
			format: 'csv',
			sourceName: 'vendor-kenko',
			transferConsent: null,
			parsed: parseDoseCsv(
				[header, `800002,bcg,single,2025-11-20,${await institution()},,,,,,statutory,`].join('\n')
			),
			actor,
			now
		});
		expect(report).toMatchObject({ inserted: 1, trusted: true });
		const stored = await database.owner
			.selectFrom('vaccination_dose')
			.select(['checked_by'])
			.where('atena_number', '=', '800002')
			.executeTakeFirstOrThrow();
		expect(stored.checked_by).toBe('trusted:vendor-kenko');
	});

	it('takes a 転入者’s FHIR records from their previous city only with consent', async () => {
		// The previous city's export: a demo child's doses, as that city would send them.
		const { people, doses } = await dosesForExport(database.backoffice, { municipalityCode: city });
		const child = people.find(
			(person) =>
				person.birthDate > '2024-01-01' &&
				doses.filter((dose) => dose.atenaNumber === person.atenaNumber).length >= 3
		)!;
		const theirs = doses.filter((dose) => dose.atenaNumber === child.atenaNumber && !dose.voided);
		const bundle = immunizationBundle('https://other-city.example.lg.jp', [child], theirs, now);
		await insertTestResident(database.owner, city, '800003', child.birthDate);
		const parsed = parseImmunizationBundle(bundle, issuer, '800003');
		expect(parsed.errors).toEqual([]);
		expect(parsed.doses.length).toBe(theirs.length);
		await expect(
			importDoses(database.backoffice, {
				municipalityCode: city,
				format: 'fhir',
				sourceName: '他市',
				transferConsent: false,
				parsed,
				actor,
				now
			})
		).rejects.toThrow(TransferConsentError);
		const report = await importDoses(database.backoffice, {
			municipalityCode: city,
			format: 'fhir',
			sourceName: '他市',
			transferConsent: true,
			parsed,
			actor,
			now
		});
		expect(report.errors).toEqual([]);
		expect(report.inserted).toBe(theirs.length);
		const stored = await database.owner
			.selectFrom('vaccination_dose')
			.select(['source', 'checked_by', 'institution_name'])
			.where('atena_number', '=', '800003')
			.execute();
		expect(stored.every((dose) => dose.source === 'transfer_in' && dose.checked_by === null)).toBe(
			true
		);
		// A bundle that is not FHIR is refused whole.
		expect(
			parseImmunizationBundle({ resourceType: 'Bundle', type: 'nonsense' }, issuer).errors[0]?.code
		).toBe('fhir_schema');
		const run = await database.owner
			.selectFrom('dose_import')
			.select(['consent_recorded'])
			.where('id', '=', report.id)
			.executeTakeFirstOrThrow();
		expect(run.consent_recorded).toBe(true);
	});
});
