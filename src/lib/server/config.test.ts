import { describe, expect, it } from 'vitest';
import { ConfigError, deploymentProblems, readConfig } from './config';

const key = Buffer.alloc(32, 7).toString('base64');

describe('readConfig', () => {
	it('names a missing DATABASE_URL', () => {
		expect(() => readConfig({})).toThrow(new ConfigError('DATABASE_URL is not set'));
	});

	it('names a malformed DATABASE_URL without echoing it', () => {
		const attempt = () => readConfig({ DATABASE_URL: 'mysql://secret@host/db' });
		expect(attempt).toThrow(/^DATABASE_URL must be a postgres:/);
		expect(attempt).not.toThrow(/secret/);
	});

	it('names a malformed MY_NUMBER_KEY', () => {
		expect(() => readConfig({ DATABASE_URL: 'postgres://a@b/c', MY_NUMBER_KEY: 'short' })).toThrow(
			/^MY_NUMBER_KEY must be/
		);
	});

	it('keeps the signing key out of the portal and reads it elsewhere', () => {
		expect(() =>
			readConfig({ DATABASE_URL: 'postgres://a@b/c', APP_ROLE: 'portal', DOCUMENT_KEY: key })
		).toThrow(/^DOCUMENT_KEY must not be set when APP_ROLE=portal/);
		expect(
			readConfig({ DATABASE_URL: 'postgres://a@b/c', DOCUMENT_KEY: `d2:${key}` }).documentKey?.id
		).toBe('d2');
	});

	it('rejects an unknown APP_ROLE', () => {
		expect(() => readConfig({ DATABASE_URL: 'postgres://a@b/c', APP_ROLE: 'admin' })).toThrow(
			/^APP_ROLE /
		);
	});

	it('defaults the owner URL to the runtime URL and the role to all', () => {
		const config = readConfig({ DATABASE_URL: 'postgres://a@b/c', MY_NUMBER_KEY: `k9:${key}` });
		expect(config.databaseOwnerUrl).toBe('postgres://a@b/c');
		expect(config.appRole).toBe('all');
		expect(config.myNumberKey?.id).toBe('k9');
		expect(config.myNumberKey?.key.length).toBe(32);
	});

	it('checks the mail settings and the relying party', () => {
		const base = { DATABASE_URL: 'postgres://a@b/c' };
		expect(() => readConfig({ ...base, SMTP_URL: 'http://mail' })).toThrow(/^SMTP_URL must be/);
		expect(() => readConfig({ ...base, MAIL_FROM: 'not-an-address' })).toThrow(
			/^MAIL_FROM must be/
		);
		expect(readConfig({ ...base, SMTP_URL: 'smtps://u:p@mail.example:465' }).smtpUrl).toBe(
			'smtps://u:p@mail.example:465'
		);
		const config = readConfig({ ...base, ORIGIN: 'https://portal.city.example.lg.jp' });
		expect(config).toMatchObject({ rpId: 'portal.city.example.lg.jp', secureCookies: true });
		expect(
			readConfig({
				...base,
				ORIGIN: 'https://portal.city.example.lg.jp',
				RP_ID: 'city.example.lg.jp'
			}).rpId
		).toBe('city.example.lg.jp');
		expect(() =>
			readConfig({ ...base, ORIGIN: 'https://portal.city.example.lg.jp', RP_ID: 'evil.example' })
		).toThrow(/^RP_ID must be/);
		expect(readConfig(base)).toMatchObject({
			origin: 'http://localhost:3000',
			secureCookies: false
		});
	});
});

describe('deploymentProblems', () => {
	const city = {
		DATABASE_URL: 'postgres://a@b/c',
		ORIGIN: 'https://vaccination.city.example.lg.jp',
		MY_NUMBER_KEY: `mn2026:${key}`,
		DOCUMENT_KEY: `doc2026:${key}`,
		CLAMD_SOCKET: '/run/clamav/clamd.ctl',
		AUDIT_CHECKPOINT_KEY: `cp2026:${key}`,
		AUDIT_CHECKPOINT_DIR: '/mnt/audit-worm/vaccination',
		EXCHANGE_KEY: `ex2026:${key}`,
		PORTAL_ZONE_DATABASE_URL: 'postgres://portal@zone/portal'
	};
	const problems = (env: Record<string, string>) => deploymentProblems(readConfig(env), env);

	it('lets a city start with https and its own keys', () => {
		expect(problems(city)).toEqual([]);
		expect(
			problems({
				...city,
				APP_ROLE: 'portal',
				MY_NUMBER_KEY: '',
				DOCUMENT_KEY: '',
				AUDIT_CHECKPOINT_KEY: '',
				EXCHANGE_KEY: '',
				EXCHANGE_PUBLIC_KEY: `ex2026:${key}`
			})
		).toEqual([]);
	});
	it('splits the zones: the back office without the portal’s database, the portal without the key', () => {
		const backoffice = { ...city, APP_ROLE: 'backoffice', PORTAL_ZONE_DATABASE_URL: '' };
		expect(problems(backoffice)).toEqual([
			'EXCHANGE_PORTAL_URL is not set (required when APP_ROLE=backoffice)'
		]);
		expect(
			problems({ ...backoffice, EXCHANGE_PORTAL_URL: 'https://portal.city.example.lg.jp' })
		).toEqual([]);
		// Reached through a relay, the portal is still named, and signed for, by its public origin.
		const relayed = readConfig({
			...backoffice,
			EXCHANGE_PORTAL_URL: 'http://10.1.2.3:8080',
			PORTAL_ORIGIN: 'https://portal.city.example.lg.jp'
		}).exchange;
		expect(relayed).toMatchObject({
			portalUrl: 'http://10.1.2.3:8080',
			portalOrigin: 'https://portal.city.example.lg.jp'
		});
		expect(
			readConfig({ ...backoffice, EXCHANGE_PORTAL_URL: 'https://portal.city.example.lg.jp' })
				.exchange.portalOrigin
		).toBe('https://portal.city.example.lg.jp');
		expect(() => readConfig({ ...city, APP_ROLE: 'backoffice' })).toThrow(
			/^PORTAL_ZONE_DATABASE_URL must not be set when APP_ROLE=backoffice/
		);
		const portal = {
			...city,
			APP_ROLE: 'portal',
			MY_NUMBER_KEY: '',
			DOCUMENT_KEY: '',
			AUDIT_CHECKPOINT_KEY: '',
			EXCHANGE_KEY: ''
		};
		expect(problems(portal)).toEqual([
			'EXCHANGE_PUBLIC_KEY is not set (required when APP_ROLE=portal)'
		]);
		expect(() => readConfig({ ...portal, EXCHANGE_KEY: `ex2026:${key}` })).toThrow(
			/^EXCHANGE_KEY must not be set when APP_ROLE=portal/
		);
		expect(problems({ ...city, PORTAL_ZONE_DATABASE_URL: '', EXCHANGE_KEY: '' })).toEqual([
			'EXCHANGE_KEY is not set (required unless APP_ROLE=portal)',
			'PORTAL_ZONE_DATABASE_URL is not set (required unless APP_ROLE=backoffice)'
		]);
		// The combined deployment verifies with the public half of its own key, pulls from itself.
		const combined = readConfig(city).exchange;
		expect(combined.publicKeys).toMatch(/^ex2026:[A-Za-z0-9+/]{43}=$/);
		expect(combined.publicKeys).not.toContain(key);
		expect(combined.portalUrl).toBe(city.ORIGIN);
	});
	it('refuses plain http outside localhost, and allows it on localhost', () => {
		expect(problems({ ...city, ORIGIN: 'http://vaccination.city.example.lg.jp' })).toEqual([
			'ORIGIN must be an https:// origin (plain http only on localhost)'
		]);
		expect(problems({ ...city, ORIGIN: 'http://localhost:3000' })).toEqual([]);
	});
	it('refuses the embedded demo’s keys and a back office without its keys', () => {
		expect(
			problems({ ...city, MY_NUMBER_KEY: `demo1:${key}`, ARCHIVE_KEY: `demo1:${key}` })
		).toEqual([
			"MY_NUMBER_KEY is the embedded demo's key: generate one for this city",
			"ARCHIVE_KEY is the embedded demo's key: generate one for this city"
		]);
		expect(problems({ ...city, MY_NUMBER_KEY: '', DOCUMENT_KEY: '' })).toEqual([
			'MY_NUMBER_KEY is not set (required unless APP_ROLE=portal)',
			'DOCUMENT_KEY is not set (required unless APP_ROLE=portal)'
		]);
	});
	it('refuses a back office that would sign no audit checkpoints, and a portal that could', () => {
		expect(problems({ ...city, AUDIT_CHECKPOINT_KEY: '', AUDIT_CHECKPOINT_DIR: '' })).toEqual([
			'AUDIT_CHECKPOINT_KEY is not set (required unless APP_ROLE=portal)'
		]);
		expect(problems({ ...city, AUDIT_CHECKPOINT_KEY: `demo1:${key}` })).toEqual([
			"AUDIT_CHECKPOINT_KEY is the embedded demo's key: generate one for this city"
		]);
		expect(() => readConfig({ ...city, AUDIT_CHECKPOINT_DIR: '' })).toThrow(
			/^AUDIT_CHECKPOINT_DIR is not set: AUDIT_CHECKPOINT_KEY needs it/
		);
		expect(() => readConfig({ ...city, AUDIT_CHECKPOINT_DIR: 'relative/dir' })).toThrow(
			/^AUDIT_CHECKPOINT_DIR must be an absolute directory path/
		);
		expect(() =>
			readConfig({ ...city, APP_ROLE: 'portal', MY_NUMBER_KEY: '', DOCUMENT_KEY: '' })
		).toThrow(/^AUDIT_CHECKPOINT_KEY must not be set when APP_ROLE=portal/);
		// An auditor's machine: the directory and the public keys, no signing key.
		const auditor = readConfig({
			DATABASE_URL: city.DATABASE_URL,
			AUDIT_CHECKPOINT_DIR: city.AUDIT_CHECKPOINT_DIR,
			AUDIT_CHECKPOINT_PUBLIC_KEY: `cp2025:${key},cp2026:${key}`
		});
		expect(auditor.auditCheckpoint).toBeUndefined();
		expect(auditor.auditCheckpointPublicKeys).toBe(`cp2025:${key},cp2026:${key}`);
	});
	it('refuses a portal that would keep uploads without a virus scanner', () => {
		expect(problems({ ...city, CLAMD_SOCKET: '' })).toEqual([
			'CLAMD_SOCKET is not set: uploads must be scanned (required unless APP_ROLE=backoffice)'
		]);
		expect(
			problems({
				...city,
				APP_ROLE: 'backoffice',
				CLAMD_SOCKET: '',
				PORTAL_ZONE_DATABASE_URL: '',
				EXCHANGE_PORTAL_URL: 'https://portal.city.example.lg.jp'
			})
		).toEqual([]);
		expect(readConfig({ ...city, CLAMD_SOCKET: 'tcp://clamav.internal:3310' }).clamdSocket).toBe(
			'tcp://clamav.internal:3310'
		);
		expect(() => readConfig({ ...city, CLAMD_SOCKET: 'clamd.ctl' })).toThrow(
			/^CLAMD_SOCKET must be a socket path/
		);
	});
	it('never names a key’s value', () => {
		const found = problems({
			...city,
			ORIGIN: 'http://x.example',
			MY_NUMBER_KEY: `demo1:${key}`
		}).join(' ');
		expect(found).not.toContain(key);
	});
	it('leaves the embedded demo alone', () => {
		expect(
			problems({
				DATABASE_URL: 'postgres://a@b/c',
				MY_NUMBER_KEY: `demo1:${key}`,
				VACCINATION_EMBEDDED: '1'
			})
		).toEqual([]);
	});
});
