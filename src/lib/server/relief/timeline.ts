// The resident's view of a relief claim: each stage in plain language, which are done, what the
// city is waiting for, the city's messages and the documents released to them. Read with the
// portal's database role, which can see neither internal notes, committee minutes, nor the
// bank account — so none of them can leak onto this page.
import type { Executor } from '../db';

export const milestones = [
	'received',
	'document_check',
	'committee',
	'forwarded',
	'national_review',
	'decision',
	'payment',
	'closed'
] as const;
type Milestone = (typeof milestones)[number];

const milestoneOf: Record<string, Milestone> = {
	received: 'received',
	document_check: 'document_check',
	awaiting_documents: 'document_check',
	committee: 'committee',
	forward_pending: 'committee',
	forwarded: 'forwarded',
	national_review: 'national_review',
	certified: 'decision',
	denied: 'decision',
	decision_pending: 'decision',
	decided_pay: 'payment',
	decided_not_pay: 'closed',
	paying: 'payment',
	appeal: 'decision',
	appeal_decided: 'decision',
	closed: 'closed'
};

export async function reliefTimeline(db: Executor, applicationId: string) {
	const relief = await db
		.selectFrom('relief_case')
		.select([
			'id',
			'stage',
			'missing_documents',
			'received_on',
			'decision',
			'appeal_filed_on',
			'appeal_outcome'
		])
		.where('application_id', '=', applicationId)
		.executeTakeFirst();
	if (!relief) return null;
	const [events, documents] = await Promise.all([
		db
			.selectFrom('relief_event')
			.select(['to_stage', 'at', 'public_note'])
			.where('case_id', '=', relief.id)
			.orderBy('id')
			.execute(),
		db
			.selectFrom('issued_document')
			.select(['id', 'kind', 'document_number'])
			.where('application_id', '=', applicationId)
			.where('released_at', 'is not', null)
			.orderBy('issued_at')
			.execute()
	]);
	const current = milestones.indexOf(milestoneOf[relief.stage] ?? 'received');
	const reachedOn = (milestone: Milestone) =>
		events.find((event) => milestoneOf[event.to_stage] === milestone)?.at.toISOString() ?? null;
	return {
		stage: relief.stage,
		closed: relief.stage === 'closed' || relief.stage === 'decided_not_pay',
		decision: relief.decision,
		milestones: milestones
			// A claim decided without payment has no payment step.
			.filter((milestone) => !(milestone === 'payment' && relief.decision === 'not_pay'))
			.map((milestone) => {
				const index = milestones.indexOf(milestone);
				return {
					key: milestone,
					state:
						index < current || relief.stage === 'closed'
							? ('done' as const)
							: index === current
								? ('current' as const)
								: ('upcoming' as const),
					on: index <= current ? reachedOn(milestone) : null
				};
			}),
		missing: relief.stage === 'awaiting_documents' ? relief.missing_documents : [],
		messages: events
			.filter((event) => event.public_note)
			.map((event) => ({ at: event.at.toISOString(), text: event.public_note! })),
		appeal: relief.appeal_filed_on
			? { filedOn: relief.appeal_filed_on, outcome: relief.appeal_outcome }
			: null,
		documents: documents.map((row) => ({ id: row.id, kind: row.kind, number: row.document_number }))
	};
}
