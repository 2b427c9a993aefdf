// How kysely-codegen turns the migrated schemas into src/lib/server/db/types.generated.ts (the back
// office's database) and portal-types.generated.ts (the portal zone's own); shared by
// `npm run db:types` and the test that fails when a committed file is stale.
export const generatedTypes = {
	backoffice: 'src/lib/server/db/types.generated.ts',
	portalZone: 'src/lib/server/db/portal-types.generated.ts'
} as const;

export function codegenArguments(
	url: string,
	verify: boolean,
	outFile: string = generatedTypes.backoffice
): string[] {
	return [
		'kysely-codegen',
		'--dialect',
		'postgres',
		'--url',
		url,
		'--out-file',
		outFile,
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
