// Writing an item for the back office into the portal zone's database: the one insert every
// kind of item goes through (a signed act, an enrolment step, a page's views).
import type { Insertable } from 'kysely';
import type { PortalZoneDB, PortalZoneExecutor } from '../db';

/**
 * An item written for the back office; its sequence, or null when an item about the same thing
 * is still waiting (a partial unique index: the second insert does nothing).
 */
export async function addItem(
	zone: PortalZoneExecutor,
	item: Insertable<PortalZoneDB['exchange_item']>
): Promise<string | null> {
	const row = await zone
		.insertInto('exchange_item')
		.values(item)
		.onConflict((conflict) =>
			conflict
				.column('object_id')
				.where('taken_at', 'is', null)
				.where('object_id', 'is not', null)
				.doNothing()
		)
		.returning('seq')
		.executeTakeFirst();
	return row ? String(row.seq) : null;
}
