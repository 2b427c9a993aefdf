// Forward-only migrations from migrations/, run by kysely's Migrator. On PostgreSQL the Migrator
// runs a whole batch in one transaction, so a failing migration leaves the database as it was.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResult } from 'kysely';
import { createDatabase } from './index';

export const migrationsFolder = fileURLToPath(new URL('../../../../migrations', import.meta.url));
/** The portal zone's own database (issue 27): its migrations, apart from the back office's. */
export const portalMigrationsFolder = path.join(migrationsFolder, 'portal');

export class MigrationError extends Error {
	override name = 'MigrationError';
}

/**
 * Like kysely's FileMigrationProvider, but the import() happens in our own module, so the test
 * runner (which transforms TypeScript) and tsx both load the .ts migrations the same way.
 */
export class MigrationFolderProvider implements MigrationProvider {
	constructor(private readonly folder: string) {}
	async getMigrations(): Promise<Record<string, Migration>> {
		const files = (await readdir(this.folder))
			.filter((file) => /^\d{4}_[a-z0-9_]+\.ts$/.test(file))
			.sort();
		const migrations: Record<string, Migration> = {};
		for (const file of files) {
			migrations[file.replace(/\.ts$/, '')] = await import(
				/* @vite-ignore */ pathToFileURL(path.join(this.folder, file)).href
			);
		}
		return migrations;
	}
}

export async function migrateToLatest(
	ownerUrl: string,
	folder: string = migrationsFolder
): Promise<MigrationResult[]> {
	const db = createDatabase(ownerUrl, { max: 1 });
	try {
		const migrator = new Migrator({ db, provider: new MigrationFolderProvider(folder) });
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

/** Migrates up to and including `name` (a restore rebuilds the schema a backup was taken at). */
export async function migrateTo(
	ownerUrl: string,
	name: string,
	folder: string = migrationsFolder
): Promise<void> {
	const db = createDatabase(ownerUrl, { max: 1 });
	try {
		const migrator = new Migrator({ db, provider: new MigrationFolderProvider(folder) });
		const { error, results } = await migrator.migrateTo(name);
		if (error) {
			const failed = results?.find((result) => result.status === 'Error');
			throw new MigrationError(
				`migration ${failed?.migrationName ?? name} failed: ${error instanceof Error ? error.message : String(error)}`
			);
		}
	} finally {
		await db.destroy();
	}
}
