// The city's settings as the back office publishes them to the portal zone (issue 27,
// docs/zones.md) and as the portal reads them back: the same row either side, so every caller of
// servedMunicipality() sees one shape whichever database it came from.
import type { Executor, PortalZoneExecutor } from '../db';
import { cityView, type CityView } from '../zone/shapes';
import type { Municipality } from './index';

/** The city's row to publish; null when there is no such city (any more). */
export async function cityViewOf(db: Executor, code: string): Promise<CityView | null> {
	const row = await db
		.selectFrom('municipality')
		.selectAll()
		.where('municipality_code', '=', code)
		.executeTakeFirst();
	if (!row) return null;
	return cityView.parse({
		...row,
		retention_years: row.retention_years ?? {},
		created_at: row.created_at.toISOString()
	});
}

/**
 * The city as published to the portal zone: the one named, or the only one published; null
 * before the back office has published it (a portal zone a moment old).
 */
export async function publishedCity(
	zone: PortalZoneExecutor,
	code: string | undefined
): Promise<Municipality | null> {
	const rows = await zone
		.selectFrom('projection')
		.select('body')
		.where('topic', '=', 'city')
		.where('body', 'is not', null)
		.$if(code !== undefined, (query) => query.where('key', '=', code!))
		.limit(2)
		.execute();
	if (rows.length !== 1) return null;
	const parsed = cityView.safeParse(rows[0]!.body);
	if (!parsed.success) return null;
	return {
		...parsed.data,
		retention_years: parsed.data.retention_years as Municipality['retention_years'],
		created_at: new Date(parsed.data.created_at)
	};
}
