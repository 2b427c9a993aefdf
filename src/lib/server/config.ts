// Reads and checks the process environment once. Every problem names the variable, on one line.
import { z } from 'zod';
import { ed25519Signer, publicKeyText } from './crypto/ed25519';
import { intakePublicKey } from './mynumber/intake';

export const appRoles = ['all', 'portal', 'backoffice'] as const;
export type AppRole = (typeof appRoles)[number];

export class ConfigError extends Error {
	override name = 'ConfigError';
}

const postgresUrl = z.string().refine((value) => {
	try {
		const url = new URL(value);
		return (
			(url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.pathname.length > 1
		);
	} catch {
		return false;
	}
}, 'must be a postgres://user:password@host:port/database URL');

/** A 32-byte key, base64, optionally prefixed by a key id: "k2026:BASE64". */
const keySpec = z
	.string()
	.regex(
		/^([A-Za-z0-9_-]{1,32}:)?[A-Za-z0-9+/]{43}=$/,
		'must be [keyid:]base64 of 32 random bytes'
	);

/** Ed25519 public keys as published: "kid:base64", several (retired ones too) by commas. */
const publicKeyList = z
	.string()
	.regex(
		/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=(,[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=)*$/,
		'must be kid:base64 of an Ed25519 public key, several separated by commas'
	)
	.optional();

const schema = z.object({
	DATABASE_URL: postgresUrl,
	DATABASE_OWNER_URL: postgresUrl.optional(),
	APP_ROLE: z.enum(appRoles).default('all'),
	// APP_ROLE=all only: the portal's own login, which resident and public requests use there, so
	// the combined deployment runs the portal under the portal's grants as a split one does.
	PORTAL_DATABASE_URL: postgresUrl.optional(),
	MY_NUMBER_KEY: keySpec.optional(),
	// The back office's public intake key, for a portal that takes relief claimants' 個人番号
	// without holding MY_NUMBER_KEY (npm run mynumber:intake-key prints it).
	MY_NUMBER_INTAKE_KEY: keySpec.optional(),
	// Seals the municipality's document-signing keys (SMART Health Card, ES256) in the database;
	// the back office needs it to issue certificates (npm run documents:key creates and rotates).
	DOCUMENT_KEY: keySpec.optional(),
	// Signs the audit chains' checkpoints (an Ed25519 seed), which the back office appends every
	// ten minutes to files in AUDIT_CHECKPOINT_DIR: storage the database's administrators cannot
	// rewrite (a WORM share, another host). AUDIT_CHECKPOINT_PUBLIC_KEY: the public keys an auditor
	// verifies with, retired ones too (npm run audit:checkpoint -- --public-key prints the current).
	AUDIT_CHECKPOINT_KEY: keySpec.optional(),
	AUDIT_CHECKPOINT_DIR: z
		.string()
		.regex(/^\/[^\0]*$/, 'must be an absolute directory path')
		.optional(),
	// Seconds between two checkpoints (600 in production; a test runs them every few seconds).
	AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce
		.number()
		.int()
		.min(1, 'must be a whole number of seconds from 1 to 86400')
		.max(86_400, 'must be a whole number of seconds from 1 to 86400')
		.default(600),
	AUDIT_CHECKPOINT_PUBLIC_KEY: publicKeyList,
	// The public origin of this deployment (adapter-node reads it too). WebAuthn takes the expected
	// origin and RP ID from here, never from the Host header.
	ORIGIN: z
		.string()
		.regex(/^https?:\/\/[^/?#]+$/, 'must be an origin such as https://portal.example.lg.jp')
		.default('http://localhost:3000'),
	RP_ID: z
		.string()
		.regex(/^[a-z0-9.-]+$/, 'must be a host name such as example.lg.jp')
		.optional(),
	// Notice e-mails: smtp(s)://user:password@host:port; unset → they stay in the outbox.
	SMTP_URL: z
		.string()
		.regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
		.optional(),
	MAIL_FROM: z.string().email('must be an e-mail address').optional(),
	// ClamAV's daemon, which scans every file a resident uploads before it is kept.
	CLAMD_SOCKET: z
		.string()
		.regex(
			/^(\/[^\0\s]+|tcp:\/\/[^/:\s]+:[0-9]{1,5})$/,
			'must be a socket path such as /run/clamav/clamd.ctl or tcp://host:3310'
		)
		.optional(),
	MUNICIPALITY_CODE: z
		.string()
		.regex(/^[0-9]{6}$/, 'must be a 6-digit 全国地方公共団体コード')
		.optional(),
	// The portal zone's own PostgreSQL (issue 27, docs/zones.md): the portal keeps what crosses to
	// the back office there. Never set for the back office, which has no login on it.
	PORTAL_ZONE_DATABASE_URL: postgresUrl.optional(),
	// The back office's Ed25519 key (a seed) that signs its requests to the portal's exchange;
	// EXCHANGE_PUBLIC_KEY: its public half(s), all the portal holds (the combined deployment
	// derives it from EXCHANGE_KEY).
	EXCHANGE_KEY: keySpec.optional(),
	EXCHANGE_PUBLIC_KEY: publicKeyList,
	// Where the back office reaches the portal's exchange (the combined deployment: its own ORIGIN).
	EXCHANGE_PORTAL_URL: z
		.string()
		.regex(/^https?:\/\/[^/?#]+$/, 'must be an origin such as https://portal.example.lg.jp')
		.optional(),
	// The portal's public origin, which residents' passkeys sign for, when the back office reaches
	// the portal by another address (a relay between the networks); default EXCHANGE_PORTAL_URL.
	PORTAL_ORIGIN: z
		.string()
		.regex(/^https?:\/\/[^/?#]+$/, 'must be an origin such as https://portal.example.lg.jp')
		.optional(),
	// The staff home page warns when the portal's items wait longer than this to be taken in.
	EXCHANGE_LAG_WARN_SECONDS: z.coerce
		.number()
		.int()
		.min(1, 'must be a whole number of seconds from 1 to 3600')
		.max(3600, 'must be a whole number of seconds from 1 to 3600')
		.default(60),
	// Connections per process. A request that waits longer than 5 s for one is answered 503.
	PG_POOL_MAX: z.coerce
		.number()
		.int()
		.min(1, 'must be a whole number from 1 to 100')
		.max(100, 'must be a whole number from 1 to 100')
		.default(10)
});

export type Config = {
	databaseUrl: string;
	databaseOwnerUrl: string;
	appRole: AppRole;
	/** APP_ROLE=all: the portal role's connection for resident and public requests. */
	portalDatabaseUrl: string | undefined;
	databasePoolMax: number;
	myNumberKey: { id: string; key: Buffer } | undefined;
	/** Seals 個人番号 typed on the portal for the back office; derived from MY_NUMBER_KEY if set. */
	myNumberIntakeKey: { id: string; key: Buffer } | undefined;
	documentKey: { id: string; key: Buffer } | undefined;
	/** The signing key and directory of the audit checkpoints (the key needs the directory). */
	auditCheckpoint:
		{ key: { id: string; key: Buffer }; dir: string; intervalSeconds: number } | undefined;
	auditCheckpointPublicKeys: string | undefined;
	municipalityCode: string | undefined;
	origin: string;
	/** The WebAuthn relying-party id: RP_ID, or the origin's host name. */
	rpId: string;
	/** Cookies get Secure (and the __Host- prefix) everywhere but plain-http localhost. */
	secureCookies: boolean;
	smtpUrl: string | undefined;
	mailFrom: string | undefined;
	clamdSocket: string | undefined;
	/** The portal zone's own database (portal and combined deployments). */
	portalZoneDatabaseUrl: string | undefined;
	exchangeLagWarnSeconds: number;
	exchange: {
		/** The back office's signing key (back office and combined). */
		key: { id: string; key: Buffer } | undefined;
		/** The public keys the portal accepts requests under (portal and combined). */
		publicKeys: string | undefined;
		/** Where the back office reaches the portal it takes items from (back office and combined). */
		portalUrl: string | undefined;
		/**
		 * The portal's public origin: what residents sign for, and the portal's name in the intake
		 * record (an item is taken once per portal, whichever address reached it).
		 */
		portalOrigin: string | undefined;
	};
};

export function parseKeySpec(spec: string): { id: string; key: Buffer } {
	const colon = spec.indexOf(':');
	return colon === -1
		? { id: 'k1', key: Buffer.from(spec, 'base64') }
		: { id: spec.slice(0, colon), key: Buffer.from(spec.slice(colon + 1), 'base64') };
}

export function readConfig(env: Record<string, string | undefined>): Config {
	const present = Object.fromEntries(
		Object.entries(env).filter(([, value]) => value !== undefined && value !== '')
	);
	const parsed = schema.safeParse(present);
	if (!parsed.success) {
		const issue = parsed.error.issues[0]!;
		const variable = String(issue.path[0] ?? 'environment');
		const message =
			issue.code === 'invalid_type' && present[variable] === undefined
				? 'is not set'
				: issue.message;
		throw new ConfigError(`${variable} ${message}`);
	}
	const values = parsed.data;
	// Where the back office reaches the portal; the combined deployment reaches itself.
	const portalUrl =
		values.EXCHANGE_PORTAL_URL ?? (values.APP_ROLE === 'all' ? values.ORIGIN : undefined);
	if (values.RP_ID) {
		const host = new URL(values.ORIGIN).hostname;
		if (host !== values.RP_ID && !host.endsWith(`.${values.RP_ID}`)) {
			throw new ConfigError(`RP_ID must be the host of ORIGIN or a parent domain of it`);
		}
	}
	if (values.APP_ROLE === 'portal' && values.MY_NUMBER_KEY) {
		// The internet-facing process must not even hold the key (三層の対策).
		throw new ConfigError('MY_NUMBER_KEY must not be set when APP_ROLE=portal');
	}
	if (values.APP_ROLE === 'portal' && values.DOCUMENT_KEY) {
		// Signing happens in the back office; the portal only publishes public keys.
		throw new ConfigError('DOCUMENT_KEY must not be set when APP_ROLE=portal');
	}
	if (values.APP_ROLE === 'portal' && values.AUDIT_CHECKPOINT_KEY) {
		// The back office writes the checkpoints; the internet side must not be able to forge one.
		throw new ConfigError('AUDIT_CHECKPOINT_KEY must not be set when APP_ROLE=portal');
	}
	if (values.APP_ROLE === 'portal' && values.EXCHANGE_KEY) {
		// The portal verifies the back office's requests; it must not be able to make one.
		throw new ConfigError('EXCHANGE_KEY must not be set when APP_ROLE=portal');
	}
	if (values.APP_ROLE === 'backoffice' && values.PORTAL_ZONE_DATABASE_URL) {
		// The back office reaches the portal only through its signed endpoints (docs/zones.md).
		throw new ConfigError('PORTAL_ZONE_DATABASE_URL must not be set when APP_ROLE=backoffice');
	}
	if (values.AUDIT_CHECKPOINT_KEY && !values.AUDIT_CHECKPOINT_DIR) {
		// (the directory alone is fine: an auditor's machine verifies with the public key)
		throw new ConfigError('AUDIT_CHECKPOINT_DIR is not set: AUDIT_CHECKPOINT_KEY needs it');
	}
	return {
		databaseUrl: values.DATABASE_URL,
		databaseOwnerUrl: values.DATABASE_OWNER_URL ?? values.DATABASE_URL,
		appRole: values.APP_ROLE,
		portalDatabaseUrl: values.PORTAL_DATABASE_URL,
		databasePoolMax: values.PG_POOL_MAX,
		myNumberKey: values.MY_NUMBER_KEY ? parseKeySpec(values.MY_NUMBER_KEY) : undefined,
		myNumberIntakeKey: values.MY_NUMBER_INTAKE_KEY
			? parseKeySpec(values.MY_NUMBER_INTAKE_KEY)
			: values.MY_NUMBER_KEY
				? intakePublicKey(parseKeySpec(values.MY_NUMBER_KEY))
				: undefined,
		documentKey: values.DOCUMENT_KEY ? parseKeySpec(values.DOCUMENT_KEY) : undefined,
		auditCheckpoint:
			values.AUDIT_CHECKPOINT_KEY && values.AUDIT_CHECKPOINT_DIR
				? {
						key: parseKeySpec(values.AUDIT_CHECKPOINT_KEY),
						dir: values.AUDIT_CHECKPOINT_DIR,
						intervalSeconds: values.AUDIT_CHECKPOINT_INTERVAL_SECONDS
					}
				: undefined,
		auditCheckpointPublicKeys: values.AUDIT_CHECKPOINT_PUBLIC_KEY,
		municipalityCode: values.MUNICIPALITY_CODE,
		origin: values.ORIGIN,
		rpId: values.RP_ID ?? new URL(values.ORIGIN).hostname,
		secureCookies: new URL(values.ORIGIN).protocol === 'https:',
		smtpUrl: values.SMTP_URL,
		mailFrom: values.MAIL_FROM,
		clamdSocket: values.CLAMD_SOCKET,
		portalZoneDatabaseUrl: values.PORTAL_ZONE_DATABASE_URL,
		exchangeLagWarnSeconds: values.EXCHANGE_LAG_WARN_SECONDS,
		exchange: {
			key: values.EXCHANGE_KEY ? parseKeySpec(values.EXCHANGE_KEY) : undefined,
			publicKeys:
				values.EXCHANGE_PUBLIC_KEY ??
				(values.APP_ROLE === 'all' && values.EXCHANGE_KEY
					? publicKeyText(ed25519Signer(parseKeySpec(values.EXCHANGE_KEY)))
					: undefined),
			portalUrl,
			portalOrigin: portalUrl && (values.PORTAL_ORIGIN ?? portalUrl)
		}
	};
}

/**
 * What a deployment — anything but the embedded demo, which its launcher marks — must not run
 * with: a plain-http public origin, the demo's generated keys, a back office without the keys
 * that protect 個人番号 and signed documents and sign the audit checkpoints, or a portal that
 * takes uploads without a virus scanner. Empty when it may start. Values are never echoed.
 */
export function deploymentProblems(
	config: Config,
	env: Record<string, string | undefined>
): string[] {
	if (env.VACCINATION_EMBEDDED === '1') return [];
	const problems: string[] = [];
	const origin = new URL(config.origin);
	const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(origin.hostname);
	if (origin.protocol !== 'https:' && !loopback) {
		problems.push('ORIGIN must be an https:// origin (plain http only on localhost)');
	}
	const keys: [string, string | undefined][] = [
		['MY_NUMBER_KEY', config.myNumberKey?.id],
		['DOCUMENT_KEY', config.documentKey?.id],
		['AUDIT_CHECKPOINT_KEY', config.auditCheckpoint?.key.id],
		['ARCHIVE_KEY', env.ARCHIVE_KEY ? parseKeySpec(env.ARCHIVE_KEY).id : undefined],
		['EXCHANGE_KEY', config.exchange.key?.id]
	];
	for (const [name, id] of keys) {
		if (id?.startsWith('demo'))
			problems.push(`${name} is the embedded demo's key: generate one for this city`);
	}
	if (config.appRole !== 'portal') {
		if (!config.myNumberKey)
			problems.push('MY_NUMBER_KEY is not set (required unless APP_ROLE=portal)');
		if (!config.documentKey)
			problems.push('DOCUMENT_KEY is not set (required unless APP_ROLE=portal)');
		if (!config.auditCheckpoint)
			problems.push('AUDIT_CHECKPOINT_KEY is not set (required unless APP_ROLE=portal)');
	}
	// The two zones (issue 27, docs/zones.md): the back office signs its pulls and knows where the
	// portal is; the portal keeps its items in its own database and knows the back office's key.
	if (config.appRole !== 'portal' && !config.exchange.key)
		problems.push('EXCHANGE_KEY is not set (required unless APP_ROLE=portal)');
	if (config.appRole === 'backoffice' && !config.exchange.portalUrl)
		problems.push('EXCHANGE_PORTAL_URL is not set (required when APP_ROLE=backoffice)');
	if (config.appRole !== 'backoffice' && !config.portalZoneDatabaseUrl)
		problems.push('PORTAL_ZONE_DATABASE_URL is not set (required unless APP_ROLE=backoffice)');
	if (config.appRole === 'portal' && !config.exchange.publicKeys)
		problems.push('EXCHANGE_PUBLIC_KEY is not set (required when APP_ROLE=portal)');
	if (config.appRole !== 'backoffice' && !config.clamdSocket) {
		problems.push(
			'CLAMD_SOCKET is not set: uploads must be scanned (required unless APP_ROLE=backoffice)'
		);
	}
	return problems;
}

let cached: Config | undefined;
export function config(): Config {
	if (!cached) {
		const read = readConfig(process.env);
		const problems = deploymentProblems(read, process.env);
		if (problems.length > 0) throw new ConfigError(problems[0]!);
		cached = read;
	}
	return cached;
}
