// How kysely-codegen turns the migrated schema into src/lib/server/db/types.generated.ts; shared by
// `npm run db:types` and the test that fails when the committed file is stale.
export function codegenArguments(url: string, verify: boolean): string[] {
	return [
		'kysely-codegen',
		'--dialect',
		'postgres',
		'--url',
		url,
		'--out-file',
		'src/lib/server/db/types.generated.ts',
		'--date-parser',
		'string',
		'--numeric-parser',
		'string',
		'--default-schema',
		'public',
		'--exclude-pattern',
		'{kysely_migration*,pgboss.*}',
		'--log-level',
		'error',
		...(verify ? ['--verify'] : [])
	];
}
