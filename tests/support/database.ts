// A fresh, migrated database per test file, with connections as the superuser (the migration
// owner) and as each of the app's login roles — the same roles the app itself uses.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import {
	createDatabase,
	databaseRoleFor,
	type Database,
	type PortalZoneDatabase,
	type PortalZoneDB
} from '../../src/lib/server/db';
import { migrateToLatest, portalMigrationsFolder } from '../../src/lib/server/db/migrate';
import { loginRoles, withCredentials } from '../../src/lib/server/db/provision';
import { testLoginPasswords } from './passwords';

export type TestDatabase = {
	name: string;
	ownerUrl: string;
	owner: Database;
	backoffice: Database;
	portal: Database;
	urlFor: (kind: 'portal' | 'backoffice') => string;
	close: () => Promise<void>;
};

/** An empty database on the tests' server: its owner's URL and how to drop it. */
async function emptyDatabase(prefix: string) {
	const superuserUrl = inject('superuserUrl');
	const name = `${prefix}_${randomBytes(6).toString('hex')}`;
	const admin = new pg.Client({ connectionString: superuserUrl });
	await admin.connect();
	await admin.query(`CREATE DATABASE ${name}`);
	await admin.end();
	const superuser = new URL(superuserUrl);
	const ownerUrl = withCredentials(
		superuserUrl,
		superuser.username,
		decodeURIComponent(superuser.password),
		name
	);
	const drop = async () => {
		const cleanup = new pg.Client({ connectionString: superuserUrl });
		await cleanup.connect();
		await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
		await cleanup.end();
	};
	return { name, ownerUrl, drop };
}

export async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
	const { name, ownerUrl, drop } = await emptyDatabase('test');
	if (options.migrate ?? true) await migrateToLatest(ownerUrl);
	const urlFor = (kind: 'portal' | 'backoffice') =>
		withCredentials(ownerUrl, loginRoles[kind].login, testLoginPasswords[kind]);
	const owner = createDatabase(ownerUrl, { max: 4 });
	const backoffice = createDatabase(urlFor('backoffice'), {
		role: databaseRoleFor('backoffice'),
		max: 20
	});
	const portal = createDatabase(urlFor('portal'), { role: databaseRoleFor('portal'), max: 4 });
	return {
		name,
		ownerUrl,
		owner,
		backoffice,
		portal,
		urlFor,
		close: async () => {
			await Promise.all([owner.destroy(), backoffice.destroy(), portal.destroy()]);
			await drop();
		}
	};
}

export type TestPortalZone = {
	ownerUrl: string;
	owner: PortalZoneDatabase;
	/** On the portal's login and group role, as the portal process connects. */
	portal: PortalZoneDatabase;
	close: () => Promise<void>;
};

/**
 * A fresh portal-zone database (issue 27) with the portal's own migrations. On the tests' one
 * server for speed: npm start runs it on a server of its own, where no back-office role exists.
 */
export async function freshPortalZone(): Promise<TestPortalZone> {
	const { ownerUrl, drop } = await emptyDatabase('test_zone');
	await migrateToLatest(ownerUrl, portalMigrationsFolder);
	const owner = createDatabase<PortalZoneDB>(ownerUrl, { max: 2 });
	const portal = createDatabase<PortalZoneDB>(
		withCredentials(ownerUrl, loginRoles.portal.login, testLoginPasswords.portal),
		{ role: databaseRoleFor('portal'), max: 4 }
	);
	return {
		ownerUrl,
		owner,
		portal,
		close: async () => {
			await Promise.all([owner.destroy(), portal.destroy()]);
			await drop();
		}
	};
}
