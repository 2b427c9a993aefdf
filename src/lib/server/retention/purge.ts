// The retention purge (RET-1, RET-2, RET-5): for each record class, what is past the city's
// retention (municipality.retention_years), archived first — encrypted, written and flushed —
// then deleted in the same transaction that records the run, each step audited. If the archive
// cannot be written nothing is deleted; if the deletion fails after the archive was written, the
// rows stay and the next run archives them again.
//
// Classes purged here:
// - audit_payload: the detail of audit entries (search criteria, counts …) older than its years;
//   the entries stay and the chain still verifies (RET-1, LOG-5).
// - vaccination_record: the 予防接種台帳 of people removed from the register (転出, 死亡) longer
//   ago than its years, with their correction history — unless a 訂正請求 refers to a change.
// - mailing_files (RET-5, temporary): the print file and the parts' PDFs of a mailing sent or
//   cancelled more than 30 days ago (the recipients — who got which letter — stay).
import path from 'node:path';
import { sql } from 'kysely';
import type { Database, Executor } from '../db';
import { recordAudit, type Actor } from '../audit/record';
import { sealArchive, writeArchiveFile, type ArchiveKey, type ArchivedRow } from './archive';
import { tokyoDate } from '../time';
import { sameCity } from '../db/same-city';

export const mailingFileDays = 30;

export type RetentionPlan = { class: string; cutoff: string; rows: number }[];
export type RetentionResult = {
	id: string | null;
	archiveFile: string | null;
	counts: Record<string, number>;
};

function yearsBefore(today: string, years: number): string {
	return `${Number(today.slice(0, 4)) - years}${today.slice(4)}`;
}

async function candidates(db: Executor, municipalityCode: string, today: string, now: Date) {
	const city = await db
		.selectFrom('municipality')
		.select('retention_years')
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	const years = city.retention_years as Record<string, number>;
	const payloadCutoff =
		years.audit_payload === undefined
			? null
			: new Date(now.getTime() - years.audit_payload * 365.25 * 86_400_000);
	const recordCutoff =
		years.vaccination_record === undefined ? null : yearsBefore(today, years.vaccination_record);
	const filesCutoff = new Date(now.getTime() - mailingFileDays * 86_400_000);

	const payloads = payloadCutoff
		? await db
				.selectFrom('audit.payload as p')
				.innerJoin('audit.entry as e', (join) => sameCity(join, ['e.seq', 'p.seq']))
				.select(['p.seq', 'p.payload', 'e.occurred_at', 'e.action'])
				.where('p.municipality_code', '=', municipalityCode)
				.where('e.occurred_at', '<', payloadCutoff)
				.orderBy('p.seq')
				.execute()
		: [];
	const doses = recordCutoff
		? await db
				.selectFrom('vaccination_dose as d')
				.innerJoin('resident as r', (join) => sameCity(join, ['r.atena_number', 'd.atena_number']))
				.selectAll('d')
				.where('d.municipality_code', '=', municipalityCode)
				.where('r.status', '<>', 'resident')
				.where('r.removed_on', '<', recordCutoff)
				.where(({ not, exists, selectFrom }) =>
					not(
						exists(
							selectFrom('vaccination_dose_change as c')
								.innerJoin('desk_request as q', 'q.dose_change_id', 'c.id')
								.select('c.id')
								.whereRef('c.dose_id', '=', 'd.id')
						)
					)
				)
				.orderBy('d.id')
				.execute()
		: [];
	const changes =
		doses.length > 0
			? await db
					.selectFrom('vaccination_dose_change')
					.selectAll()
					.where(
						'dose_id',
						'in',
						doses.map((dose) => dose.id)
					)
					.execute()
			: [];
	const mailings = await db
		.selectFrom('mailing_batch')
		.select(['id', 'status'])
		.where('municipality_code', '=', municipalityCode)
		.where('files_purged_at', 'is', null)
		.where((eb) =>
			eb.or([
				eb.and([eb('status', '=', 'sent'), eb('sent_on', '<', tokyoDate(filesCutoff))]),
				eb.and([eb('status', '=', 'cancelled'), eb('cancelled_at', '<', filesCutoff)])
			])
		)
		.execute();
	return {
		payloads,
		doses,
		changes,
		mailings,
		cutoffs: {
			audit_payload: payloadCutoff?.toISOString() ?? 'not set',
			vaccination_record: recordCutoff ?? 'not set',
			mailing_files: filesCutoff.toISOString()
		}
	};
}

/** What a run would purge today, per class (nothing is read beyond counting). */
export async function planRetention(
	db: Database,
	input: { municipalityCode: string; today: string; now: Date }
): Promise<RetentionPlan> {
	const found = await candidates(db, input.municipalityCode, input.today, input.now);
	return [
		{ class: 'audit_payload', cutoff: found.cutoffs.audit_payload, rows: found.payloads.length },
		{
			class: 'vaccination_record',
			cutoff: found.cutoffs.vaccination_record,
			rows: found.doses.length
		},
		{ class: 'mailing_files', cutoff: found.cutoffs.mailing_files, rows: found.mailings.length }
	];
}

export async function runRetention(
	db: Database,
	input: {
		municipalityCode: string;
		today: string;
		now: Date;
		archiveDir: string;
		archiveKey: ArchiveKey;
		actor: Actor;
	}
): Promise<RetentionResult> {
	return db.transaction().execute(async (trx) => {
		// One purge at a time per city: the rows read below are the rows deleted below.
		await sql`SELECT pg_advisory_xact_lock(hashtext(${`retention:${input.municipalityCode}`}))`.execute(
			trx
		);
		const found = await candidates(trx, input.municipalityCode, input.today, input.now);
		const counts = {
			audit_payload: found.payloads.length,
			vaccination_record: found.doses.length,
			vaccination_dose_change: found.changes.length,
			mailing_files: found.mailings.length
		};
		if (Object.values(counts).every((count) => count === 0)) {
			return { id: null, archiveFile: null, counts };
		}
		const rows: ArchivedRow[] = [
			...found.payloads.map((row) => ({ class: 'audit_payload', row })),
			...found.doses.map((row) => ({ class: 'vaccination_record', row })),
			...found.changes.map((row) => ({ class: 'vaccination_dose_change', row })),
			// The mailing's files are temporary copies: the archive names them, it does not keep them.
			...found.mailings.map((row) => ({ class: 'mailing_files', row }))
		];
		const stamp = input.now.toISOString().replace(/[-:]/g, '').slice(0, 15);
		const file = path.join(
			input.archiveDir,
			`retention-${input.municipalityCode}-${stamp}.jsonl.gz.enc`
		);
		const sha256 = writeArchiveFile(file, sealArchive(rows, input.archiveKey));
		const run = await trx
			.insertInto('retention_run')
			.values({
				municipality_code: input.municipalityCode,
				run_at: input.now,
				run_by: `${input.actor.type}:${input.actor.id}`,
				archive_file: path.basename(file),
				archive_sha256: sha256,
				counts: JSON.stringify(counts)
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			action: 'retention.archive',
			objectType: 'retention_run',
			objectId: run.id,
			result: 'ok',
			payload: { file: path.basename(file), counts }
		});

		if (found.payloads.length > 0) {
			const seqs = found.payloads.map((row) => row.seq);
			const { rows: erased } = await sql<{ erased: number }>`
				SELECT audit.erase_payloads(${input.municipalityCode}, ${seqs}::bigint[]) AS erased`.execute(trx);
			if (erased[0]!.erased !== seqs.length)
				throw new Error('audit payloads changed during the purge');
		}
		const doseIds = found.doses.map((dose) => dose.id);
		for (let start = 0; start < doseIds.length; start += 5000) {
			const chunk = doseIds.slice(start, start + 5000);
			await trx.deleteFrom('vaccination_dose_change').where('dose_id', 'in', chunk).execute();
			await trx.deleteFrom('vaccination_dose').where('id', 'in', chunk).execute();
		}
		for (const mailing of found.mailings) {
			await trx
				.updateTable('mailing_part')
				.set({ pdf: null })
				.where('batch_id', '=', mailing.id)
				.execute();
			await trx
				.updateTable('mailing_batch')
				.set({ print_file: null, files_purged_at: input.now })
				.where('id', '=', mailing.id)
				.execute();
		}
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			action: 'retention.purge',
			objectType: 'retention_run',
			objectId: run.id,
			result: 'ok',
			payload: { counts }
		});
		return { id: run.id, archiveFile: file, counts };
	});
}
