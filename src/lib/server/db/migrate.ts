// Forward-only migrations from migrations/, run by kysely's Migrator. On PostgreSQL the Migrator
// runs a whole batch in one transaction, so a failing migration leaves the database as it was.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, Migrator, type MigrationResult } from 'kysely';
import { createDatabase } from './index';

export const migrationsFolder = fileURLToPath(new URL('../../../../migrations', import.meta.url));

export class MigrationError extends Error {
	override name = 'MigrationError';
}

export async function migrateToLatest(ownerUrl: string): Promise<MigrationResult[]> {
	const db = createDatabase(ownerUrl, { max: 1 });
	try {
		const migrator = new Migrator({
			db,
			provider: new FileMigrationProvider({ fs, path, migrationFolder: migrationsFolder })
		});
		const { error, results } = await migrator.migrateToLatest();
		if (error) {
			const failed = results?.find((result) => result.status === 'Error');
			throw new MigrationError(
				`migration ${failed?.migrationName ?? '?'} failed, nothing was applied: ${
					error instanceof Error ? error.message : String(error)
				}`
			);
		}
		return results ?? [];
	} finally {
		await db.destroy();
	}
}
