// What the residents were told, and what the database holds: the fault scripts' bookkeeping.
// A submission the portal confirmed must be in the database exactly once, with everything that
// belongs to it (its signed act, its version, its history row, its notice and its audit entry),
// and nothing may exist by halves: no signature that did nothing, no submission without one.
import { sql } from 'kysely';
import type { Database } from '../../src/lib/server/db';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { checkpointKeys, verifyCheckpoints } from '../../src/lib/server/audit/checkpoint';
import { PortalError } from './portal-client';

export type Told = 'accepted' | 'unknown' | 'refused';

/** What a person saw when a request failed, sorted by whether it tells them what to do. */
export type Answer =
	| 'ok'
	| 'clear 503' // 503, Retry-After, the localized message
	| 'unclear 5xx' // any other server error: a bug, not a degraded mode
	| 'already sent' // 409: an earlier tap went through, and the portal says so
	| '4xx'
	| 'no answer'; // connection refused or reset, timed out: the app was not there

export class Ledger {
	readonly submissions = new Map<string, { startKey: string; told: Told }>();
	readonly answers = new Map<Answer, number>();
	doubleTapSplits = 0;
	/** Agreements the portal answered "sent" (they travel to the back office; issue 27). */
	consentsSent = 0;
	readonly unclear: string[] = [];

	count(answer: Answer) {
		this.answers.set(answer, (this.answers.get(answer) ?? 0) + 1);
	}

	/** Sorts a failure; returns whether it was the app being away (worth retrying at once). */
	failure(error: unknown): Answer {
		let answer: Answer = 'no answer';
		if (error instanceof PortalError) {
			if (error.status === 503 && error.retryAfter && /一時的に利用できません/.test(error.body))
				answer = 'clear 503';
			else if (error.status === 409 && /"moved":true/.test(error.body)) answer = 'already sent';
			else if (error.status >= 500) {
				answer = 'unclear 5xx';
				if (this.unclear.length < 5)
					this.unclear.push(`${error.message} ${error.body.slice(0, 200)}`);
			} else answer = '4xx';
		}
		this.count(answer);
		return answer;
	}

	told(applicationId: string, startKey: string, told: Told) {
		const previous = this.submissions.get(applicationId);
		// Once confirmed, a later refusal (signing it again) does not undo the confirmation.
		if (previous?.told === 'accepted') return;
		this.submissions.set(applicationId, { startKey, told });
	}

	byTold(told: Told): string[] {
		return [...this.submissions].filter(([, entry]) => entry.told === told).map(([id]) => id);
	}
}

export type Findings = {
	confirmed: number;
	unknownThenSubmitted: number;
	unknownStillDraft: number;
	lost: string[];
	duplicated: string[];
	halfWritten: string[];
	auditChainBreak: string | null;
	/** Signed checkpoints the app wrote during the run, all checked against the chain. */
	checkpoints: number;
};

export async function findings(
	db: Database,
	ledger: Ledger,
	checkpoints: { dir: string; key: { id: string; key: Buffer } }
): Promise<Findings> {
	const ids = [...ledger.submissions.keys()];
	const rows = ids.length
		? (
				await sql<{
					id: string;
					status: string;
					versions: number;
					transitions: number;
					notices: number;
					audits: number;
				}>`
		SELECT a.id, a.status,
			(SELECT count(*)::int FROM application_version v WHERE v.application_id = a.id) AS versions,
			(SELECT count(*)::int FROM application_transition t WHERE t.application_id = a.id AND t.action = 'submit') AS transitions,
			(SELECT count(*)::int FROM resident_notice n WHERE n.application_id = a.id AND n.kind = 'application_received') AS notices,
			(SELECT count(*)::int FROM audit.entry e WHERE e.object_id = a.id::text AND e.action = 'application.submit') AS audits
		FROM application a WHERE a.id = ANY(${ids}::uuid[])`.execute(db)
			).rows
		: [];
	const byId = new Map(rows.map((row) => [row.id, row]));
	const lost = ledger
		.byTold('accepted')
		.filter((id) => !byId.get(id) || byId.get(id)!.status === 'draft');
	const duplicated: string[] = [];
	const halfWritten: string[] = [];
	for (const row of rows) {
		const parts = [row.versions, row.transitions, row.notices, row.audits];
		if (parts.some((n) => n > 1)) duplicated.push(`${row.id}: ${parts.join('/')}`);
		const submitted = row.status !== 'draft';
		if (submitted && parts.some((n) => n === 0)) halfWritten.push(`${row.id}: ${parts.join('/')}`);
		if (!submitted && parts.some((n) => n > 0))
			halfWritten.push(`${row.id} draft: ${parts.join('/')}`);
	}
	// One draft per start key, however often the start button was pressed.
	const keys = await sql<{ start_key: string; n: number }>`
		SELECT start_key, count(*)::int AS n FROM application WHERE start_key IS NOT NULL
		GROUP BY applicant_account_id, start_key HAVING count(*) > 1`.execute(db);
	for (const row of keys.rows) duplicated.push(`start key ${row.start_key}: ${row.n} drafts`);
	// Every submit signature is the signature of exactly one version.
	const orphans = await sql<{ id: string }>`
		SELECT s.id FROM signed_act s
		WHERE s.kind = 'submit' AND NOT EXISTS (SELECT 1 FROM application_version v WHERE v.signed_act_id = s.id)`.execute(
		db
	);
	for (const row of orphans.rows) halfWritten.push(`signed act ${row.id} submitted nothing`);
	const chain = await verifyAuditChain(db);
	// Checkpoints written across kills and restarts must still agree with the chain.
	const signed = await verifyCheckpoints(db, {
		dir: checkpoints.dir,
		keys: checkpointKeys(checkpoints.key, undefined)
	});
	const checkpointBreak = signed.firstProblem
		? `${signed.firstProblem.municipalityCode} checkpoint line ${signed.firstProblem.line}: ${signed.firstProblem.problem}`
		: null;
	const unknown = ledger.byTold('unknown');
	return {
		confirmed: ledger.byTold('accepted').length,
		unknownThenSubmitted: unknown.filter((id) => byId.get(id) && byId.get(id)!.status !== 'draft')
			.length,
		unknownStillDraft: unknown.filter((id) => byId.get(id)?.status === 'draft').length,
		lost,
		duplicated,
		halfWritten,
		auditChainBreak: chain.firstBreak
			? `${chain.firstBreak.municipalityCode} #${chain.firstBreak.seq}: ${chain.firstBreak.problem}`
			: checkpointBreak,
		checkpoints: signed.chains.reduce((sum, item) => sum + item.checkpoints, 0)
	};
}
