// What the portal zone reports of a resident's sign-in for the back office's audit log (issue 27):
// the portal cannot write that log, so each step goes as an 'auth_event' item, which the back
// office appends when it takes it in (exchange/intake.ts) as the account's, or as anonymous
// before anyone is known.
import type { PortalZoneExecutor } from '../db';
import { addItem } from '../zone/items';
import type { AuthEventItemBody, RequestContext } from '../zone/shapes';

export async function reportAuthEvent(
	zone: PortalZoneExecutor,
	context: RequestContext | null | undefined,
	event: Omit<AuthEventItemBody, 'context'> & { account: string | null }
): Promise<void> {
	const { account, ...body } = event;
	await addItem(zone, {
		kind: 'auth_event',
		resident_account_id: account,
		body: JSON.stringify({ ...body, ...(context ? { context } : {}) }),
		object_id: null
	});
}
