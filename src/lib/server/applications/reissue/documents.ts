// What an approved 予診票の再発行 issues: the 予診票 for the dose asked for, marked 再発行.
import type { Executor } from '../../db';
import { catalogueEntry, type DecisionFacts } from '../../documents/issue';
import { nextDocumentNumber, registerDocument } from '../../documents/registry';
import { renderYoshinhyo } from '../../documents/yoshinhyo';

export async function issueReissue(db: Executor, facts: DecisionFacts) {
	const { municipality, payload, issuedOn } = facts;
	const vaccine = await catalogueEntry(
		db,
		municipality.municipality_code,
		String(payload!.vaccine_code),
		String(payload!.dose_code)
	);
	const documentNumber = await nextDocumentNumber(db, 'reissue', issuedOn);
	const bytes = await renderYoshinhyo({
		municipality,
		documentNumber,
		issuedOn,
		person: facts.person,
		guardianName: facts.guardianName,
		vaccine: { nameJa: vaccine.name_ja, doseJa: vaccine.label_ja },
		reissue: true
	});
	const row = await registerDocument(db, {
		...facts.common,
		kind: 'reissue',
		documentNumber,
		language: 'ja',
		fileName: `yoshinhyo-${documentNumber}.pdf`,
		bytes
	});
	return [{ id: row.id, kind: 'reissue' as const }];
}
