// What an approved 英文予防接種証明書 request issues: the certificate (bilingual PDF, sealed,
// with its SMART Health Card where the city issues them), from the doses it certifies.
import type { Executor } from '../../db';
import { issueCertificate, type DecisionFacts } from '../../documents/issue';

export async function issueCertificateOf(db: Executor, facts: DecisionFacts) {
	const issued = await issueCertificate(db, {
		municipality: facts.municipality,
		subject: facts.subject,
		payload: facts.payload!,
		applicationId: facts.application.id,
		issuedBy: facts.common.issuedBy,
		approvedBy: facts.common.approvedBy,
		settings: facts.settings,
		actor: facts.common.actor,
		context: facts.common.context,
		now: facts.common.now
	});
	return [{ id: issued.id, kind: 'certificate' as const }];
}
