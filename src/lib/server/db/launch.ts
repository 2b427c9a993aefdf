// Decides where the database is before the app starts: DATABASE_URL when set, otherwise the
// embedded PostgreSQL under .data/. Used by the start, dev, migrate and demo commands.
import path from 'node:path';
import { readConfig, type AppRole } from '../config';
import { embeddedSecrets, startEmbeddedPostgres } from './embedded';
import { migrateToLatest } from './migrate';
import { ensureDatabase, loginRoles, provisionLoginRoles, withCredentials } from './provision';

export const defaultDataDir = path.resolve(process.env.DATA_DIR ?? '.data');
const databaseName = 'vaccination';

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
	stop: () => Promise<void>;
};

export async function launchDatabase(
	env: Record<string, string | undefined> = process.env,
	options: { migrate?: boolean; dataDir?: string; attach?: boolean } = {}
): Promise<LaunchedDatabase> {
	const migrate = options.migrate ?? true;
	if (env.DATABASE_URL) {
		const config = readConfig(env);
		if (migrate) await migrateToLatest(config.databaseOwnerUrl);
		return {
			embedded: false,
			env: {},
			ownerUrl: config.databaseOwnerUrl,
			myNumberKey: env.MY_NUMBER_KEY,
			documentKey: env.DOCUMENT_KEY,
			archiveKey: env.ARCHIVE_KEY,
			auditCheckpointKey: env.AUDIT_CHECKPOINT_KEY,
			auditCheckpointDir: env.AUDIT_CHECKPOINT_DIR,
			stop: async () => {}
		};
	}

	const dataDir = options.dataDir ?? defaultDataDir;
	const appRole = (env.APP_ROLE ?? 'all') as AppRole;
	const secrets = embeddedSecrets(dataDir);
	const server = await startEmbeddedPostgres({
		dataDir,
		password: secrets.superuserPassword,
		attach: options.attach
	});
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
		readConfig({ ...env, ...appEnv });
		return {
			embedded: true,
			env: appEnv,
			ownerUrl,
			myNumberKey: env.MY_NUMBER_KEY ?? secrets.myNumberKey,
			documentKey: env.DOCUMENT_KEY ?? secrets.documentKey,
			archiveKey: env.ARCHIVE_KEY ?? secrets.archiveKey,
			auditCheckpointKey,
			auditCheckpointDir,
			stop: server.stop
		};
	} catch (error) {
		await server.stop();
		throw error;
	}
}
