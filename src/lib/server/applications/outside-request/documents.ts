// What an approved 実施依頼書 request issues: the letter asking another city's clinic to
// vaccinate the resident on our behalf, for the place and period asked for.
import type { Executor } from '../../db';
import { issueDoseLetter, type DecisionFacts } from '../../documents/issue';
import { renderOutsideRequest } from '../../documents/outside-request';

export function issueOutsideRequest(db: Executor, facts: DecisionFacts) {
	const payload = facts.payload!;
	return issueDoseLetter(db, facts, 'outside_request', 'irai', (letter) =>
		renderOutsideRequest({
			...letter,
			placeMunicipality: String(payload.place_municipality ?? ''),
			placeInstitution: String(payload.place_institution ?? ''),
			periodFrom: String(payload.period_from ?? facts.issuedOn),
			periodUntil: String(payload.period_until ?? facts.issuedOn),
			reason: [payload.reason_detail, payload.reason].filter(Boolean).join(' ') || '—'
		})
	);
}
