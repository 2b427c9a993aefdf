// Who a 接種勧奨 or yearly mailing goes to (DOMAIN.md P8), by the same catalogue rules the portal
// uses to show a family what is due (vaccinations/schedule.ts): people on the register, not under
// a 利用停止, with at least one dose the mailing's kind counts. Recipients come in print order —
// postal code, then address — so the print file can go to the post office sorted.
import { z } from 'zod';
import type { Executor } from '../db';
import { activeCatalogue, scheduledDoses } from '../vaccinations/active-catalogue';
import {
	dueDoses,
	type DueDose,
	type GivenDose,
	type ScheduledDose
} from '../vaccinations/schedule';

export const mailingKinds = ['due', 'overdue', 'newborn', 'age_cohort'] as const;
export type MailingKind = (typeof mailingKinds)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export const mailingCriteria = z
	.object({
		kind: z.enum(mailingKinds),
		/** Only these vaccines (catalogue codes); all when empty. */
		vaccines: z
			.array(z.string().regex(/^[a-z0-9_]{1,40}$/))
			.max(40)
			.default([]),
		bornFrom: isoDate.optional(),
		bornUntil: isoDate.optional(),
		withQuestionnaires: z.boolean().default(false)
	})
	.refine((value) => !value.bornFrom || !value.bornUntil || value.bornFrom <= value.bornUntil, {
		path: ['bornUntil'],
		message: 'order'
	})
	.refine((value) => value.kind !== 'newborn' || (value.bornFrom && value.bornUntil), {
		path: ['bornFrom'],
		message: 'required'
	})
	.refine(
		(value) =>
			value.kind !== 'age_cohort' ||
			(value.bornFrom && value.bornUntil && value.vaccines.length > 0),
		{ path: ['vaccines'], message: 'required' }
	);
export type MailingCriteria = z.infer<typeof mailingCriteria>;

/** Which of a person's next doses a mailing of this kind is about. */
export function dosesForMailing(
	criteria: MailingCriteria,
	catalogue: ScheduledDose[],
	given: GivenDose[],
	person: { birthDate: string; sex: 'male' | 'female' },
	today: string
): DueDose[] {
	const counted: Record<MailingKind, DueDose['status'][]> = {
		due: ['due', 'late'],
		overdue: ['late'],
		// A first set of 予診票 covers what opens soon too, so families can book ahead.
		newborn: ['due', 'late', 'upcoming'],
		age_cohort: ['due', 'late', 'upcoming']
	};
	return dueDoses(catalogue, given, person, today).filter(
		(dose) =>
			counted[criteria.kind].includes(dose.status) &&
			(criteria.vaccines.length === 0 || criteria.vaccines.includes(dose.vaccineCode))
	);
}

export type Recipient = {
	atenaNumber: string;
	postalCode: string;
	address: string;
	doses: DueDose[];
};

/** Everyone the mailing reaches as of `today`, in print order. */
export async function findRecipients(
	db: Executor,
	municipalityCode: string,
	criteria: MailingCriteria,
	today: string
): Promise<Recipient[]> {
	const catalogue = scheduledDoses(await activeCatalogue(db, municipalityCode));
	const recipients: Recipient[] = [];
	let after = '';
	for (;;) {
		let query = db
			.selectFrom('resident')
			.select(['atena_number', 'birth_date', 'sex', 'postal_code', 'address'])
			.where('municipality_code', '=', municipalityCode)
			.where('status', '=', 'resident')
			.where('atena_number', '>', after)
			.where(({ not, exists, selectFrom }) =>
				not(
					exists(
						selectFrom('use_suspension')
							.select('use_suspension.id')
							.whereRef('use_suspension.municipality_code', '=', 'resident.municipality_code')
							.whereRef('use_suspension.atena_number', '=', 'resident.atena_number')
							.where('use_suspension.lifted_on', 'is', null)
					)
				)
			)
			.orderBy('atena_number')
			.limit(5000);
		if (criteria.bornFrom) query = query.where('birth_date', '>=', criteria.bornFrom);
		if (criteria.bornUntil) query = query.where('birth_date', '<=', criteria.bornUntil);
		const people = await query.execute();
		if (people.length === 0) break;
		after = people[people.length - 1]!.atena_number;
		const given = new Map<string, GivenDose[]>();
		const doses = await db
			.selectFrom('vaccination_dose')
			.select(['atena_number', 'vaccine_code', 'dose_code', 'administered_on', 'product_name'])
			.where('municipality_code', '=', municipalityCode)
			.where(
				'atena_number',
				'in',
				people.map((person) => person.atena_number)
			)
			.where('status', '=', 'administered')
			.where('voided_at', 'is', null)
			.execute();
		for (const dose of doses) {
			const list = given.get(dose.atena_number) ?? [];
			list.push({
				vaccineCode: dose.vaccine_code,
				doseCode: dose.dose_code,
				administeredOn: dose.administered_on,
				productName: dose.product_name
			});
			given.set(dose.atena_number, list);
		}
		for (const person of people) {
			const due = dosesForMailing(
				criteria,
				catalogue,
				given.get(person.atena_number) ?? [],
				{ birthDate: person.birth_date, sex: person.sex as 'male' | 'female' },
				today
			);
			if (due.length > 0) {
				recipients.push({
					atenaNumber: person.atena_number,
					postalCode: person.postal_code,
					address: person.address,
					doses: due
				});
			}
		}
	}
	return recipients.sort(
		(a, b) =>
			a.postalCode.localeCompare(b.postalCode) ||
			a.address.localeCompare(b.address, 'ja') ||
			a.atenaNumber.localeCompare(b.atenaNumber)
	);
}

/** Counts by vaccine and dose, for the preview before a batch is made. */
export function countByDose(recipients: Recipient[]): Map<string, number> {
	const counts = new Map<string, number>();
	for (const recipient of recipients) {
		for (const dose of recipient.doses) {
			const key = `${dose.vaccineCode}:${dose.doseCode}`;
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
	}
	return counts;
}
