// 利用停止 (個人情報保護法第98条): once a 利用停止請求 is accepted, the person's records are not
// used in ordinary work. Ordinary staff still find that the person exists (so nobody registers
// them twice) but cannot open the record; the desk, which handles the request and any lifting
// of it, still can. Every refusal is audited.
import type { Executor } from '../db';

export async function suspendedAmong(
	db: Executor,
	municipalityCode: string,
	atenaNumbers: string[]
): Promise<Set<string>> {
	if (atenaNumbers.length === 0) return new Set();
	const rows = await db
		.selectFrom('use_suspension')
		.select('atena_number')
		.where('municipality_code', '=', municipalityCode)
		.where('atena_number', 'in', atenaNumbers)
		.where('lifted_on', 'is', null)
		.execute();
	return new Set(rows.map((row) => row.atena_number));
}

/** Whether this member of staff may use the person's records despite a suspension. */
export const mayUseSuspended = (permissions: ReadonlySet<string>) =>
	permissions.has('disclosure.handle');
