// Writes the demo city into the database in one transaction (all of it or none of it), in
// batches of a few thousand households passed as one JSON parameter each.
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database, DB } from '../db';
import { recordAudit } from '../audit/record';
import { sealMyNumber, type MyNumberKey } from '../mynumber/cipher';
import { defaultRolePermissions } from '../staff/roles';
import { insertRoutineSchedule } from '../vaccinations/catalogue-load';
import { demoInstitutions, demoMunicipality, demoStaff } from './city';
import { generateHouseholds, type Household } from './generate';
import { towns } from './names';

export class DemoAlreadyLoadedError extends Error {
	override name = 'UsageError';
}

type ColumnSpec = readonly (readonly [name: string, pgType: string])[];

async function insertColumns(
	trx: Transaction<DB>,
	table: string,
	columns: ColumnSpec,
	rows: Record<string, unknown>[],
	constants: Record<string, string | RawBuilder<unknown>> = {}
): Promise<void> {
	if (rows.length === 0) return;
	const constantNames = Object.keys(constants);
	const names = [...columns.map(([name]) => name), ...constantNames];
	// One JSON parameter per batch: JSON.stringify is native and fast, where building a PostgreSQL
	// array literal per column in JavaScript is not. bytea travels as hex text.
	const json = JSON.stringify(
		rows.map((row) =>
			columns.map(([name, type]) => {
				const value = row[name] ?? null;
				return type === 'bytea' && value ? `\\x${(value as Buffer).toString('hex')}` : value;
			})
		)
	);
	const values = columns.map(
		([, type], index) => sql`(r->>${sql.raw(String(index))})::${sql.raw(type)}`
	);
	const constantValues = constantNames.map((name) => {
		const value = constants[name]!;
		return typeof value === 'string' ? sql`${value}::text` : value;
	});
	await sql`INSERT INTO ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))})
		SELECT ${sql.join([...values, ...constantValues])}
		FROM jsonb_array_elements(${json}::jsonb) AS r`.execute(trx);
}

const residentColumns = [
	['atena_number', 'text'],
	['household_number', 'text'],
	['is_household_head', 'boolean'],
	['relationship', 'text'],
	['name_kanji', 'text'],
	['name_kana', 'text'],
	['name_romaji', 'text'],
	['birth_date', 'date'],
	['sex', 'text'],
	['postal_code', 'text'],
	['address', 'text'],
	['resident_type', 'text'],
	['status', 'text'],
	['became_resident_on', 'date'],
	['became_resident_reason', 'text'],
	['address_set_on', 'date'],
	['foreign_resident_on', 'date'],
	['removed_on', 'date'],
	['phone', 'text'],
	['email', 'text']
] as const;
const guardianshipColumns = [
	['guardian_atena_number', 'text'],
	['child_atena_number', 'text'],
	['valid_from', 'date'],
	['valid_until', 'date'],
	['suppressed_for_dv', 'boolean']
] as const;
const doseColumns = [
	['atena_number', 'text'],
	['vaccine_code', 'text'],
	['dose_code', 'text'],
	['administered_on', 'date'],
	['institution_code', 'text'],
	['institution_name', 'text'],
	['product_name', 'text'],
	['manufacturer', 'text'],
	['lot_number', 'text'],
	['dose_volume_ml', 'numeric'],
	['claimed_on', 'date'],
	['voucher_number', 'text']
] as const;
const myNumberColumns = [
	['atena_number', 'text'],
	['key_id', 'text'],
	['nonce', 'bytea'],
	['ciphertext', 'bytea'],
	['auth_tag', 'bytea'],
	['blind_index', 'bytea']
] as const;

export type DemoLoadResult = {
	residents: number;
	guardianships: number;
	doses: number;
	households: number;
};

export async function loadDemoCity(
	db: Database,
	options: {
		seed: string;
		residents: number;
		asOf: string;
		myNumberKey: MyNumberKey;
		batchSize?: number;
		onProgress?: (residents: number) => void;
	}
): Promise<DemoLoadResult> {
	const code = demoMunicipality.municipality_code;
	const batchSize = options.batchSize ?? 5000;
	return db
		.transaction()
		.setIsolationLevel('read committed')
		.execute(async (trx) => {
			const existing = await trx
				.selectFrom('resident')
				.select('atena_number')
				.where('municipality_code', '=', code)
				.limit(1)
				.executeTakeFirst();
			if (existing)
				throw new DemoAlreadyLoadedError(
					'the demo city is already loaded (to start over, stop the app and delete .data/)'
				);

			await trx
				.insertInto('municipality')
				.values({
					...demoMunicipality,
					retention_years: JSON.stringify(demoMunicipality.retention_years)
				})
				.onConflict((oc) => oc.column('municipality_code').doNothing())
				.execute();
			await insertRoutineSchedule(trx, code);
			await trx
				.insertInto('medical_institution')
				.values(
					demoInstitutions.map((institution, index) => ({
						municipality_code: code,
						institution_code: institution.institution_code,
						name_ja: institution.name_ja,
						name_en: institution.name_en,
						postal_code: towns.find((town) => town.name === institution.town)!.postalCode,
						address: `東京都さくら台市${institution.town}${(index % 4) + 1}丁目${index + 2}番${index + 1}号`,
						phone: `042-000-${String(2000 + index * 7).padStart(4, '0')}`
					}))
				)
				.execute();
			await trx
				.insertInto('role_permission')
				.values(
					Object.entries(defaultRolePermissions).flatMap(([role, permissions]) =>
						permissions.map((permission) => ({
							municipality_code: code,
							role_code: role,
							permission_code: permission
						}))
					)
				)
				.execute();
			for (const staff of demoStaff) {
				const { role, ...account } = staff;
				const created = await trx
					.insertInto('staff_user')
					.values({ municipality_code: code, ...account })
					.returning('id')
					.executeTakeFirstOrThrow();
				await trx
					.insertInto('staff_role')
					.values({ municipality_code: code, staff_user_id: created.id, role_code: role })
					.execute();
			}

			const result: DemoLoadResult = { residents: 0, guardianships: 0, doses: 0, households: 0 };
			let pending: Household[] = [];
			let pendingResidents = 0;
			const flush = async () => {
				const residents = pending.flatMap((household) => household.residents);
				const guardianships = pending.flatMap((household) => household.guardianships);
				const doses = pending.flatMap((household) => household.doses);
				const myNumbers = pending.flatMap((household) =>
					household.myNumbers.map(({ atena_number, value }) => {
						const sealed = sealMyNumber(
							options.myNumberKey,
							{ municipalityCode: code, atenaNumber: atena_number },
							value
						);
						return {
							atena_number,
							key_id: sealed.keyId,
							nonce: sealed.nonce,
							ciphertext: sealed.ciphertext,
							auth_tag: sealed.authTag,
							blind_index: sealed.blindIndex
						};
					})
				);
				await insertColumns(trx, 'resident', residentColumns, residents, {
					municipality_code: code
				});
				await insertColumns(trx, 'guardianship', guardianshipColumns, guardianships, {
					municipality_code: code,
					source: 'household'
				});
				await insertColumns(trx, 'vaccination_dose', doseColumns, doses, {
					municipality_code: code,
					legal_basis: 'statutory',
					status: 'administered',
					source: 'demo',
					entered_by: 'system:demo',
					checked_by: 'system:demo-check',
					checked_at: sql`now()`
				});
				await insertColumns(trx, 'mynumber.individual_number', myNumberColumns, myNumbers, {
					municipality_code: code,
					recorded_by: 'system:demo'
				});
				result.residents += residents.length;
				result.guardianships += guardianships.length;
				result.doses += doses.length;
				result.households += pending.length;
				pending = [];
				pendingResidents = 0;
				options.onProgress?.(result.residents);
			};
			for (const household of generateHouseholds(options)) {
				pending.push(household);
				pendingResidents += household.residents.length;
				if (pendingResidents >= batchSize) await flush();
			}
			await flush();
			await recordAudit(trx, {
				municipalityCode: code,
				actor: { type: 'system', id: 'system:demo', role: 'system' },
				action: 'system.demo_load',
				payload: { seed: options.seed, as_of: options.asOf, ...result }
			});
			return result;
		});
}
