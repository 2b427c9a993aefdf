// The doors of 接種勧奨 and yearly mailings, as the staff screen works them: choose whom, preview
// the counts by vaccine, create the batch (the route queues it for the worker), follow its
// progress, download the print file, mark it sent or cancel it. Every view, preview, creation
// and download is audited (the steps in batches.ts, in their transactions).
import { randomUUID } from 'node:crypto';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Database, Executor } from '../db';
import { AccessRefused } from '../errors';
import { formKeyPattern } from '../db/form-key';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';
import { activeCatalogue } from '../vaccinations/active-catalogue';
import {
	cancelMailing,
	createMailingBatch,
	listMailings,
	MailingError,
	markMailingSent,
	previewMailing
} from './batches';
import { mailingCriteria, mailingKinds } from './selection';

const permission = 'mailing.manage';

/** The vaccines and doses of the city's catalogue, named in the reader's language. */
async function vaccineChoices(db: Executor, municipalityCode: string, locale: 'ja' | 'en') {
	const catalogue = await activeCatalogue(db, municipalityCode);
	const vaccines = new Map<string, string>();
	const doses = new Map<string, string>();
	for (const row of catalogue) {
		const name = locale === 'en' ? row.name_en : row.name_ja;
		vaccines.set(row.vaccine_code, name);
		doses.set(
			`${row.vaccine_code}:${row.dose_code}`,
			`${name} ${locale === 'en' ? row.label_en : row.label_ja}`
		);
	}
	return { vaccines: [...vaccines].map(([code, name]) => ({ code, name })), doses };
}

/** The batches with their progress, and what the form chooses from. */
export async function mailingsScreen(
	db: Executor,
	caller: Caller,
	input: { locale: 'ja' | 'en'; now?: Date }
) {
	requirePermission(caller, permission);
	const now = input.now ?? new Date();
	const batches = await listMailings(db, caller.municipalityCode, now);
	await auditAs(db, caller, {
		action: 'mailing.list',
		result: 'ok',
		payload: { batches: batches.length }
	});
	const { vaccines } = await vaccineChoices(db, caller.municipalityCode, input.locale);
	return {
		batches,
		vaccines,
		kinds: mailingKinds,
		requestKey: randomUUID(),
		today: tokyoDate(now)
	};
}

/** The form as typed. */
export type MailingForm = {
	kind: string;
	vaccines: string[];
	bornFrom: string;
	bornUntil: string;
	withQuestionnaires: boolean;
};

function criteriaOf(values: MailingForm) {
	const parsed = mailingCriteria.safeParse({
		...values,
		bornFrom: values.bornFrom || undefined,
		bornUntil: values.bornUntil || undefined
	});
	if (parsed.success) return parsed.data;
	const field = parsed.error.issues[0]?.path[0];
	throw new MailingError(
		field === 'bornUntil'
			? 'born_order'
			: field === 'bornFrom'
				? 'born_required'
				: field === 'vaccines'
					? 'vaccine_required'
					: 'invalid'
	);
}

/** How many people the criteria reach, by dose (nothing stored; audited with the counts). */
export async function previewMailingFor(
	db: Executor,
	caller: Caller,
	input: { values: MailingForm; locale: 'ja' | 'en' }
) {
	requirePermission(caller, permission);
	const preview = await previewMailing(db, {
		municipalityCode: caller.municipalityCode,
		criteria: criteriaOf(input.values),
		actor: actorOf(caller),
		context: caller.context,
		now: new Date()
	});
	const { doses } = await vaccineChoices(db, caller.municipalityCode, input.locale);
	return {
		recipients: preview.recipients,
		byDose: [...preview.byDose].map(([key, count]) => ({ label: doses.get(key) ?? key, count }))
	};
}

/** The batch fixed with its recipients (once per form key); its id, for the worker's queue. */
export async function createMailing(
	db: Database,
	caller: Caller,
	input: { values: MailingForm; requestKey: string }
): Promise<{ id: string }> {
	requirePermission(caller, permission);
	const criteria = criteriaOf(input.values);
	if (!formKeyPattern.test(input.requestKey)) throw new MailingError('invalid');
	const batch = await createMailingBatch(db, {
		municipalityCode: caller.municipalityCode,
		criteria,
		requestKey: input.requestKey,
		actor: actorOf(caller),
		context: caller.context,
		now: new Date()
	});
	return { id: batch.id };
}

export async function cancelMailingBatch(
	db: Database,
	caller: Caller,
	input: { batchId: string }
): Promise<void> {
	requirePermission(caller, permission);
	await cancelMailing(db, {
		municipalityCode: caller.municipalityCode,
		batchId: input.batchId,
		actor: actorOf(caller),
		context: caller.context,
		now: new Date()
	});
}

/** The batch marked 発送済 on the day it went to the post (not in the future). */
export async function markMailingBatchSent(
	db: Database,
	caller: Caller,
	input: { batchId: string; sentOn: string }
): Promise<void> {
	requirePermission(caller, permission);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(input.sentOn) || input.sentOn > tokyoDate(new Date())) {
		throw new MailingError('sent_on');
	}
	await markMailingSent(db, {
		municipalityCode: caller.municipalityCode,
		batchId: input.batchId,
		sentOn: input.sentOn,
		actor: actorOf(caller),
		context: caller.context
	});
}

/** The merged print file, for the print room; audited, refused ones too. */
export async function mailingPrintFile(db: Executor, caller: Caller, input: { id: string }) {
	requirePermission(caller, permission);
	if (!isUuid(input.id)) throw new AccessRefused('not_found');
	const batch = await db
		.selectFrom('mailing_batch')
		.select(['print_file', 'recipients', 'print_pages'])
		.where('municipality_code', '=', caller.municipalityCode)
		.where('id', '=', input.id)
		.executeTakeFirst();
	await auditAs(db, caller, {
		action: 'mailing.download',
		objectType: 'mailing_batch',
		objectId: input.id,
		result: batch?.print_file ? 'ok' : 'denied',
		payload: batch ? { recipients: batch.recipients, pages: batch.print_pages } : undefined
	});
	if (!batch?.print_file) throw new AccessRefused('not_found');
	return { fileName: `mailing-${input.id.slice(0, 8)}.pdf`, content: batch.print_file };
}
