// Every table of the registry, the catalogue and the ledger is keyed by the city first: a join
// between two of them is on the city and then on the other key (the 宛名番号, the vaccine and
// dose codes). Written once here instead of four lines at each join.
import type { JoinBuilder, ReferenceExpression } from 'kysely';

/**
 * The joined rows are of the same city and agree on each pair of columns (checked by the
 * compiler like any reference): `sameCity(join, ['r.atena_number', 'd.subject_atena_number'])`.
 * The city's columns are named after the tables of the first pair.
 */
export function sameCity<DB, TB extends keyof DB>(
	join: JoinBuilder<DB, TB>,
	...pairs: [ReferenceExpression<DB, TB>, ReferenceExpression<DB, TB>][]
): JoinBuilder<DB, TB> {
	const [left, right] = (pairs[0] as [string, string]).map((ref) =>
		ref.slice(0, ref.lastIndexOf('.'))
	);
	const city = [
		`${left}.municipality_code`,
		`${right}.municipality_code`
	] as unknown as (typeof pairs)[number];
	return [city, ...pairs].reduce((on, [a, b]) => on.onRef(a, '=', b), join);
}
