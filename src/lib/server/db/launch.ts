// Decides where the database is before the app starts: DATABASE_URL when set, otherwise the
// embedded PostgreSQL under .data/. Used by the start, dev, migrate and demo commands.
import path from 'node:path';
import { parseKeySpec, readConfig, type AppRole } from '../config';
import { ed25519Signer, publicKeyText } from '../crypto/ed25519';
import { embeddedSecrets, portalZoneSecrets, startEmbeddedPostgres } from './embedded';
import { migrateToLatest, portalMigrationsFolder } from './migrate';
import { ensureDatabase, loginRoles, provisionLoginRoles, withCredentials } from './provision';

export const defaultDataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const databaseName = 'vaccination';
const portalZoneDatabaseName = 'vaccination_portal_zone';

export type LaunchedDatabase = {
	embedded: boolean;
	/** The environment the app process needs (DATABASE_URL, MY_NUMBER_KEY …). */
	env: Record<string, string>;
	ownerUrl: string;
	/** For back-office tooling (demo load, imports), whatever role the app itself runs as. */
	myNumberKey: string | undefined;
	documentKey: string | undefined;
	/** Seals the retention purge's archives (ARCHIVE_KEY). */
	archiveKey: string | undefined;
	/** Signs the audit checkpoints, and where they are kept (AUDIT_CHECKPOINT_KEY, _DIR). */
	auditCheckpointKey: string | undefined;
	auditCheckpointDir: string | undefined;
	/** The portal zone's own database (issue 27), where this launch runs one: its owner's URL. */
	portalZoneOwnerUrl: string | undefined;
	stop: () => Promise<void>;
};

export async function launchDatabase(
	env: Record<string, string | undefined> = process.env,
	options: {
		migrate?: boolean;
		dataDir?: string;
		attach?: boolean;
		/** Start the portal zone's server too (default: an app or tool that is not the back office alone and not attaching to a running one). */
		portalZone?: boolean;
	} = {}
): Promise<LaunchedDatabase> {
	const migrate = options.migrate ?? true;
	const appRole = (env.APP_ROLE ?? 'all') as AppRole;
	const withPortalZone = options.portalZone ?? (!options.attach && appRole !== 'backoffice');
	if (env.DATABASE_URL) {
		const config = readConfig(env);
		if (migrate) await migrateToLatest(config.databaseOwnerUrl);
		const portalZoneOwnerUrl = env.PORTAL_ZONE_DATABASE_OWNER_URL ?? env.PORTAL_ZONE_DATABASE_URL;
		if (migrate && withPortalZone && portalZoneOwnerUrl)
			await migrateToLatest(portalZoneOwnerUrl, portalMigrationsFolder);
		return {
			embedded: false,
			env: {},
			ownerUrl: config.databaseOwnerUrl,
			myNumberKey: env.MY_NUMBER_KEY,
			documentKey: env.DOCUMENT_KEY,
			archiveKey: env.ARCHIVE_KEY,
			auditCheckpointKey: env.AUDIT_CHECKPOINT_KEY,
			auditCheckpointDir: env.AUDIT_CHECKPOINT_DIR,
			portalZoneOwnerUrl,
			stop: async () => {}
		};
	}

	const dataDir = options.dataDir ?? defaultDataDir;
	const secrets = embeddedSecrets(dataDir);
	const server = await startEmbeddedPostgres({
		dataDir,
		password: secrets.superuserPassword,
		attach: options.attach
	});
	let portalZone: Awaited<ReturnType<typeof launchPortalZone>> | undefined;
	try {
		await ensureDatabase(server.superuserUrl(), databaseName);
		const ownerUrl = server.superuserUrl(databaseName);
		await provisionLoginRoles(ownerUrl, {
			portal: secrets.portalPassword,
			backoffice: secrets.backofficePassword
		});
		if (migrate) await migrateToLatest(ownerUrl);
		const kind = appRole === 'portal' ? 'portal' : 'backoffice';
		const runtimeUrl = withCredentials(
			ownerUrl,
			loginRoles[kind].login,
			kind === 'portal' ? secrets.portalPassword : secrets.backofficePassword
		);
		// Marks the embedded demo: its generated keys and http://localhost are fine here only.
		const appEnv: Record<string, string> = { DATABASE_URL: runtimeUrl, VACCINATION_EMBEDDED: '1' };
		// The combined demo answers resident requests on the portal's own login (db/index.ts).
		if (appRole === 'all') {
			appEnv.PORTAL_DATABASE_URL = withCredentials(
				ownerUrl,
				loginRoles.portal.login,
				secrets.portalPassword
			);
		}
		// The demo keeps its audit checkpoints beside its data; a city keeps them elsewhere.
		const auditCheckpointKey = env.AUDIT_CHECKPOINT_KEY ?? secrets.auditCheckpointKey;
		const auditCheckpointDir =
			env.AUDIT_CHECKPOINT_DIR ?? path.join(path.resolve(dataDir), 'audit-checkpoints');
		if (kind === 'backoffice') {
			appEnv.MY_NUMBER_KEY = env.MY_NUMBER_KEY ?? secrets.myNumberKey;
			appEnv.DOCUMENT_KEY = env.DOCUMENT_KEY ?? secrets.documentKey;
			appEnv.AUDIT_CHECKPOINT_KEY = auditCheckpointKey;
			appEnv.AUDIT_CHECKPOINT_DIR = auditCheckpointDir;
		}
		const exchangeKey = env.EXCHANGE_KEY ?? secrets.exchangeKey;
		if (kind === 'backoffice') appEnv.EXCHANGE_KEY = exchangeKey;
		else appEnv.EXCHANGE_PUBLIC_KEY = publicKeyText(ed25519Signer(parseKeySpec(exchangeKey)));
		if (withPortalZone) {
			portalZone = await launchPortalZone(path.join(dataDir, 'portal-zone'), migrate);
			appEnv.PORTAL_ZONE_DATABASE_URL = portalZone.appUrl;
		}
		readConfig({ ...env, ...appEnv });
		const started = portalZone;
		return {
			embedded: true,
			env: appEnv,
			ownerUrl,
			myNumberKey: env.MY_NUMBER_KEY ?? secrets.myNumberKey,
			documentKey: env.DOCUMENT_KEY ?? secrets.documentKey,
			archiveKey: env.ARCHIVE_KEY ?? secrets.archiveKey,
			auditCheckpointKey,
			auditCheckpointDir,
			portalZoneOwnerUrl: started?.ownerUrl,
			stop: async () => {
				await started?.stop();
				await server.stop();
			}
		};
	} catch (error) {
		await portalZone?.stop();
		await server.stop();
		throw error;
	}
}

/**
 * The portal zone's own PostgreSQL server, with its own data directory and secrets: the embedded
 * demo runs the two zones' databases apart as a city's network does (docs/zones.md). Only the
 * portal's login exists on it.
 */
async function launchPortalZone(
	dataDir: string,
	migrate: boolean
): Promise<{ ownerUrl: string; appUrl: string; stop: () => Promise<void> }> {
	const secrets = portalZoneSecrets(dataDir);
	const server = await startEmbeddedPostgres({ dataDir, password: secrets.superuserPassword });
	try {
		await ensureDatabase(server.superuserUrl(), portalZoneDatabaseName);
		const ownerUrl = server.superuserUrl(portalZoneDatabaseName);
		await provisionLoginRoles(ownerUrl, { portal: secrets.portalPassword });
		if (migrate) await migrateToLatest(ownerUrl, portalMigrationsFolder);
		return {
			ownerUrl,
			appUrl: withCredentials(ownerUrl, loginRoles.portal.login, secrets.portalPassword),
			stop: server.stop
		};
	} catch (error) {
		await server.stop();
		throw error;
	}
}
