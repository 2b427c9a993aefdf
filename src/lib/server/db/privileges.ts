// What each app role may do to every schema, table, view, sequence and function of the database,
// read from PostgreSQL's catalogues, one line per object. docs/privileges.tsv is the reviewed
// allow-list; tests/integration/privileges.test.ts fails when the database and the list differ,
// so a new object without a decision (or a grant nobody reviewed) cannot land.
// `npm run db:privileges` prints the lines of the embedded database, to review and commit.
import { sql } from 'kysely';
import type { Kysely } from 'kysely';

export const privilegeGrantees = [
	'vaccination_portal',
	'vaccination_backoffice',
	'PUBLIC'
] as const;

export const privilegeHeader = ['kind', 'object', ...privilegeGrantees, 'row security'].join('\t');

type Row = { kind: string; object: string; grantee: string; privileges: string | null };

/** The allow-list lines of the database, sorted; "-" where a grantee has nothing. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any database: the back office's or the portal zone's
export async function privilegeLines(db: Kysely<any>): Promise<string[]> {
	// Objects an extension installed (pg_trgm's functions) are the extension's, not ours.
	const { rows } = await sql<Row>`
WITH ours AS (
	SELECT n.oid, n.nspname FROM pg_namespace n
	WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
		AND n.nspname NOT LIKE 'pg_temp%'
),
grantees(name, oid) AS (
	SELECT 'PUBLIC', 0::oid
	UNION ALL SELECT rolname, oid FROM pg_roles
	WHERE rolname IN ('vaccination_portal', 'vaccination_backoffice')
),
objects AS (
	SELECT 'schema' AS kind, o.nspname AS object, coalesce(n.nspacl, acldefault('n'::"char", n.nspowner)) AS acl
	FROM ours o JOIN pg_namespace n ON n.oid = o.oid
	UNION ALL
	SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'view'
		ELSE 'table' END, o.nspname || '.' || c.relname,
		coalesce(c.relacl, acldefault((CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char", c.relowner))
	FROM pg_class c JOIN ours o ON o.oid = c.relnamespace
	WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
			AND d.objid = c.oid AND d.deptype = 'e')
	UNION ALL
	SELECT 'function', o.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
		coalesce(p.proacl, acldefault('f'::"char", p.proowner))
	FROM pg_proc p JOIN ours o ON o.oid = p.pronamespace
	WHERE NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
		AND d.objid = p.oid AND d.deptype = 'e')
),
object_privileges AS (
	SELECT ob.kind, ob.object, g.name AS grantee, a.privilege_type AS privilege
	FROM objects ob CROSS JOIN LATERAL aclexplode(ob.acl) a JOIN grantees g ON g.oid = a.grantee
),
column_privileges AS (
	SELECT 'table' AS kind, o.nspname || '.' || c.relname AS object, g.name AS grantee,
		a.privilege_type || '(' || string_agg(att.attname, ',' ORDER BY att.attname) || ')' AS privilege
	FROM pg_attribute att
	JOIN pg_class c ON c.oid = att.attrelid
	JOIN ours o ON o.oid = c.relnamespace
	CROSS JOIN LATERAL aclexplode(att.attacl) a
	JOIN grantees g ON g.oid = a.grantee
	WHERE att.attacl IS NOT NULL AND NOT att.attisdropped
	GROUP BY 1, 2, 3, a.privilege_type
)
SELECT ob.kind, ob.object, g.name AS grantee,
	(SELECT string_agg(p.privilege, ',' ORDER BY p.privilege) FROM (
		SELECT privilege FROM object_privileges op
		WHERE op.object = ob.object AND op.kind = ob.kind AND op.grantee = g.name
		UNION ALL
		SELECT privilege FROM column_privileges cp
		WHERE cp.object = ob.object AND ob.kind = 'table' AND cp.grantee = g.name
	) p) AS privileges
FROM objects ob CROSS JOIN grantees g`.execute(db);

	const { rows: policies } = await sql<{ object: string; policies: string }>`
SELECT n.nspname || '.' || c.relname AS object,
	string_agg(p.polname || ':' || (SELECT string_agg(r.rolname, '+' ORDER BY r.rolname)
		FROM pg_roles r WHERE r.oid = ANY (p.polroles)), ',' ORDER BY p.polname) AS policies
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_policy p ON p.polrelid = c.oid
WHERE c.relrowsecurity
GROUP BY 1`.execute(db);
	const rowSecurity = new Map(policies.map((row) => [row.object, row.policies]));

	const lines = new Map<string, Record<string, string>>();
	for (const row of rows) {
		const key = `${row.kind}\t${row.object}`;
		const entry = lines.get(key) ?? {};
		entry[row.grantee] = row.privileges ?? '-';
		lines.set(key, entry);
	}
	return [...lines.entries()]
		.map(([key, entry]) =>
			[
				key,
				...privilegeGrantees.map((grantee) => entry[grantee] ?? '-'),
				rowSecurity.get(key.split('\t')[1]!) ?? '-'
			].join('\t')
		)
		.sort();
}
