// Logical backup and restore (issue 9, EXP-1: no copies beyond backups). A city's DBA backs up
// with its own server's pg_dump (README, "Backups"); this is the backup for the embedded demo and
// for any host without a pg_dump of the server's major version (Debian 12 ships 15, the embedded
// server is 17, and pg_dump refuses a newer server). It writes every table of the public,
// mynumber and audit schemas with COPY, in one stream behind a manifest (migrations applied, row
// counts), gzipped and sealed with AES-256-GCM under ARCHIVE_KEY: a backup holds 特定個人情報.
//
// A restore goes into a new, empty database only: the schema is rebuilt by our own migrations up
// to the backup's last one, the rows are loaded with triggers and foreign keys held
// (session_replication_role = replica, so the audit log's append-only triggers do not refuse its
// own rows), identity sequences are moved past the restored ids, the migrations after the backup
// are applied, and then the row counts and the audit chain are verified.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
	closeSync,
	createReadStream,
	createWriteStream,
	openSync,
	readSync,
	statSync
} from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createDatabase } from '../db/index';
import { verifyAuditChain } from '../audit/verify';
import { migrateTo, migrateToLatest } from '../db/migrate';
import { withCredentials } from '../db/provision';

const magic = Buffer.from('VAPBAK1\n');
const schemas = ['public', 'mynumber', 'audit'];
export type BackupKey = { id: string; key: Buffer };
type TableInfo = { schema: string; name: string; columns: string[]; rows: number };
export type BackupManifest = {
	format: 1;
	createdAt: string;
	serverVersion: string;
	migrations: string[];
	tables: TableInfo[];
};

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const tableRef = (table: { schema: string; name: string }) =>
	`${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;

async function tablesOf(client: pg.Client): Promise<Omit<TableInfo, 'rows'>[]> {
	const { rows } = await client.query<{ schema: string; name: string; columns: string[] }>(
		`SELECT n.nspname AS schema, c.relname AS name,
			array_agg(a.attname::text ORDER BY a.attnum) AS columns
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
			AND a.attgenerated = ''
		WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND NOT c.relispartition
		GROUP BY n.nspname, c.relname ORDER BY n.nspname, c.relname`,
		[schemas]
	);
	return rows;
}

/** Writes a sealed backup of the database at `ownerUrl` to `file`; returns its manifest. */
export async function writeBackup(
	ownerUrl: string,
	file: string,
	key: BackupKey
): Promise<BackupManifest> {
	const client = new pg.Client({ connectionString: ownerUrl });
	await client.connect();
	try {
		// One snapshot for every table: the backup is consistent as of one moment.
		await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
		const tables = await tablesOf(client);
		const counted: TableInfo[] = [];
		for (const table of tables) {
			const { rows } = await client.query<{ n: string }>(
				`SELECT count(*) AS n FROM ${tableRef(table)}`
			);
			counted.push({ ...table, rows: Number(rows[0]!.n) });
		}
		const migrations = (
			await client.query<{ name: string }>('SELECT name FROM kysely_migration ORDER BY name')
		).rows.map((row) => row.name);
		const manifest: BackupManifest = {
			format: 1,
			createdAt: new Date().toISOString(),
			serverVersion: (await client.query<{ server_version: string }>('SHOW server_version'))
				.rows[0]!.server_version,
			migrations,
			tables: counted
		};
		const nonce = randomBytes(12);
		const keyId = Buffer.from(key.id.padEnd(16).slice(0, 16));
		const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
		cipher.setAAD(Buffer.concat([magic, keyId, nonce]));
		const out = createWriteStream(file, { mode: 0o600 });
		out.write(Buffer.concat([magic, keyId, nonce]));
		const gzip = createGzip();
		const done = pipeline(gzip, cipher, out as Writable, { end: false });
		const write = (text: string) =>
			new Promise<void>((resolve) => (gzip.write(text) ? resolve() : gzip.once('drain', resolve)));
		await write(`${JSON.stringify(manifest)}\n`);
		for (const table of counted) {
			await write(`#table ${table.schema}.${table.name}\n`);
			const columns = table.columns.map(quoteIdent).join(', ');
			const source = client.query(
				copyTo(`COPY (SELECT ${columns} FROM ${tableRef(table)}) TO STDOUT`)
			);
			for await (const chunk of source as AsyncIterable<Buffer>) {
				if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
			}
			await write('\\.\n');
		}
		gzip.end();
		await done;
		await new Promise<void>((resolve, reject) => out.end(() => resolve()).once('error', reject));
		// The tag goes last; the file is whole only with it.
		const handle = await open(file, 'a');
		await handle.write(cipher.getAuthTag());
		await handle.sync();
		await handle.close();
		await client.query('COMMIT');
		return manifest;
	} finally {
		await client.end();
	}
}

function readAt(file: string, position: number, length: number): Buffer {
	const fd = openSync(file, 'r');
	try {
		const buffer = Buffer.alloc(length);
		readSync(fd, buffer, 0, length, position);
		return buffer;
	} finally {
		closeSync(fd);
	}
}

/** The decrypted content; the stream fails at its end if the file was altered (GCM tag). */
function decryptedStream(file: string, keys: BackupKey[]): Readable {
	const size = statSync(file).size;
	const header = readAt(file, 0, 36);
	if (size < 52 || !header.subarray(0, 8).equals(magic))
		throw new Error('not a backup of this product');
	const keyId = header.subarray(8, 24);
	const key = keys.find((candidate) =>
		Buffer.from(candidate.id.padEnd(16).slice(0, 16)).equals(keyId)
	);
	if (!key)
		throw new Error(
			`the backup was sealed with key ${keyId.toString().trim()}, which is not given`
		);
	const decipher = createDecipheriv('aes-256-gcm', key.key, header.subarray(24, 36));
	decipher.setAAD(header);
	decipher.setAuthTag(readAt(file, size - 16, 16));
	const out = new PassThrough();
	pipeline(
		createReadStream(file, { start: 36, end: size - 17 }),
		decipher,
		createGunzip(),
		out
	).catch((error: Error) => out.destroy(error));
	return out;
}

/** Reads the manifest and proves the whole file authentic (GCM) without restoring anything. */
export async function verifyBackup(file: string, keys: BackupKey[]): Promise<BackupManifest> {
	let manifest: BackupManifest | undefined;
	const lines = createInterface({ input: decryptedStream(file, keys), crlfDelay: Infinity });
	for await (const line of lines) {
		manifest ??= JSON.parse(line) as BackupManifest;
	}
	if (!manifest) throw new Error('empty backup');
	return manifest;
}

export type RestoreReport = {
	database: string;
	tables: number;
	rows: number;
	auditIntact: boolean;
	auditEntries: number;
};

/**
 * Restores into `database` (created here; it must not exist) on the server of `superuserUrl`.
 * The whole file is authenticated first; on any failure the new database is dropped.
 */
export async function restoreBackup(
	superuserUrl: string,
	database: string,
	file: string,
	keys: BackupKey[]
): Promise<RestoreReport> {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database))
		throw new Error('database name: a-z, 0-9 and _ only');
	const manifest = await verifyBackup(file, keys);
	const admin = new pg.Client({ connectionString: superuserUrl });
	await admin.connect();
	try {
		await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
	} finally {
		await admin.end();
	}
	const url = withCredentials(
		superuserUrl,
		new URL(superuserUrl).username,
		decodeURIComponent(new URL(superuserUrl).password),
		database
	);
	try {
		const last = manifest.migrations.at(-1);
		if (!last) throw new Error('the backup has no migrations');
		await migrateTo(url, last);
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			await client.query('BEGIN');
			await client.query("SET LOCAL session_replication_role = 'replica'");
			// Migrations seed the product's catalogues; the backup has them as they were.
			const seeded = manifest.tables.filter((table) => table.schema !== 'audit').map(tableRef);
			await client.query(`TRUNCATE ${seeded.join(', ')} CASCADE`);
			const lines = createInterface({ input: decryptedStream(file, keys), crlfDelay: Infinity });
			let current: { table: TableInfo; stream: Writable; done: Promise<void> } | null = null;
			let first = true;
			for await (const line of lines) {
				if (first) {
					first = false;
					continue;
				}
				if (!current) {
					const name = line.replace(/^#table /, '');
					const table = manifest.tables.find((entry) => `${entry.schema}.${entry.name}` === name);
					if (!table) throw new Error(`unexpected section ${line.slice(0, 80)}`);
					const stream = client.query(
						copyFrom(
							`COPY ${tableRef(table)} (${table.columns.map(quoteIdent).join(', ')}) FROM STDIN`
						)
					);
					current = {
						table,
						stream,
						done: new Promise((resolve, reject) => stream.on('finish', resolve).on('error', reject))
					};
					continue;
				}
				if (line === '\\.') {
					current.stream.end();
					await current.done;
					current = null;
					continue;
				}
				if (!current.stream.write(`${line}\n`))
					await new Promise((resolve) => current!.stream.once('drain', resolve));
			}
			// Identity columns continue after the restored ids.
			await client.query(`
DO $$
DECLARE column_ record;
BEGIN
	FOR column_ IN
		SELECT n.nspname AS schema_name, c.relname AS table_name, a.attname AS column_name
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE a.attidentity <> '' AND n.nspname IN ('public', 'mynumber', 'audit')
	LOOP
		EXECUTE format(
			'SELECT setval(pg_get_serial_sequence(%L, %L), coalesce((SELECT max(%I) FROM %I.%I), 0) + 1, false)',
			column_.schema_name || '.' || column_.table_name, column_.column_name,
			column_.column_name, column_.schema_name, column_.table_name);
	END LOOP;
END $$`);
			await client.query('COMMIT');
			let rows = 0;
			for (const table of manifest.tables) {
				const { rows: found } = await client.query<{ n: string }>(
					`SELECT count(*) AS n FROM ${tableRef(table)}`
				);
				if (Number(found[0]!.n) !== table.rows) {
					throw new Error(
						`${table.schema}.${table.name}: ${found[0]!.n} rows restored, ${table.rows} backed up`
					);
				}
				rows += table.rows;
			}
			await migrateToLatest(url);
			const db = createDatabase(url, { max: 1 });
			try {
				const chain = await verifyAuditChain(db);
				return {
					database,
					tables: manifest.tables.length,
					rows,
					auditIntact: chain.firstBreak === null,
					auditEntries:
						manifest.tables.find((table) => table.schema === 'audit' && table.name === 'entry')
							?.rows ?? 0
				};
			} finally {
				await db.destroy();
			}
		} finally {
			await client.end();
		}
	} catch (error) {
		const cleanup = new pg.Client({ connectionString: superuserUrl });
		await cleanup.connect();
		await cleanup.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
		await cleanup.end();
		throw error;
	}
}
