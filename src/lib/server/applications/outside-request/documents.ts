// What an approved 実施依頼書 request issues: the letter asking another city's clinic to
// vaccinate the resident on our behalf, for the place and period asked for.
import type { Executor } from '../../db';
import { catalogueEntry, type DecisionFacts } from '../../documents/issue';
import { renderOutsideRequest } from '../../documents/outside-request';
import { nextDocumentNumber, registerDocument } from '../../documents/registry';

export async function issueOutsideRequest(db: Executor, facts: DecisionFacts) {
	const { municipality, issuedOn } = facts;
	const payload = facts.payload!;
	const vaccine = await catalogueEntry(
		db,
		municipality.municipality_code,
		String(payload.vaccine_code),
		String(payload.dose_code)
	);
	const documentNumber = await nextDocumentNumber(db, 'outside_request', issuedOn);
	const bytes = await renderOutsideRequest({
		municipality,
		documentNumber,
		issuedOn,
		person: facts.person,
		guardianName: facts.guardianName,
		vaccine: { nameJa: vaccine.name_ja, doseJa: vaccine.label_ja },
		placeMunicipality: String(payload.place_municipality ?? ''),
		placeInstitution: String(payload.place_institution ?? ''),
		periodFrom: String(payload.period_from ?? issuedOn),
		periodUntil: String(payload.period_until ?? issuedOn),
		reason: [payload.reason_detail, payload.reason].filter(Boolean).join(' ') || '—'
	});
	const row = await registerDocument(db, {
		...facts.common,
		kind: 'outside_request',
		documentNumber,
		language: 'ja',
		fileName: `irai-${documentNumber}.pdf`,
		bytes
	});
	return [{ id: row.id, kind: 'outside_request' as const }];
}
