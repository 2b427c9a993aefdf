// What an approved 予診票の再発行 issues: the 予診票 for the dose asked for, marked 再発行.
import type { Executor } from '../../db';
import { issueDoseLetter, type DecisionFacts } from '../../documents/issue';
import { renderYoshinhyo } from '../../documents/yoshinhyo';

export function issueReissue(db: Executor, facts: DecisionFacts) {
	return issueDoseLetter(db, facts, 'reissue', 'yoshinhyo', (letter) =>
		renderYoshinhyo({ ...letter, reissue: true })
	);
}
