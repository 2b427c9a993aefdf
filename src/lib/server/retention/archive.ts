// The archive a purge writes before it deletes (RET-2): the rows as JSON lines, gzipped and sealed
// with AES-256-GCM under ARCHIVE_KEY (kept by the city apart from the database, so the archive
// can be read after the rows are gone, and by nobody without the key). Written to a temporary
// name, flushed to disk and renamed, so a file with the final name is always whole.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const magic = Buffer.from('VAPARC1\n');
export type ArchiveKey = { id: string; key: Buffer };
export type ArchivedRow = { class: string; row: unknown };

export function sealArchive(rows: ArchivedRow[], key: ArchiveKey): Buffer {
	if (key.key.length !== 32) throw new Error('ARCHIVE_KEY must be 32 bytes');
	const plain = gzipSync(Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n')));
	const nonce = randomBytes(12);
	const keyId = Buffer.from(key.id.padEnd(16).slice(0, 16));
	const cipher = createCipheriv('aes-256-gcm', key.key, nonce);
	// The header (magic, key id, nonce) is authenticated too.
	cipher.setAAD(Buffer.concat([magic, keyId, nonce]));
	const body = Buffer.concat([cipher.update(plain), cipher.final()]);
	return Buffer.concat([magic, keyId, nonce, body, cipher.getAuthTag()]);
}

export function openArchive(sealed: Buffer, keys: ArchiveKey[]): ArchivedRow[] {
	if (!sealed.subarray(0, magic.length).equals(magic)) throw new Error('not an archive');
	const keyId = sealed.subarray(8, 24);
	const nonce = sealed.subarray(24, 36);
	const key = keys.find((candidate) =>
		Buffer.from(candidate.id.padEnd(16).slice(0, 16)).equals(keyId)
	);
	if (!key) throw new Error(`no key ${keyId.toString().trim()}`);
	const decipher = createDecipheriv('aes-256-gcm', key.key, nonce);
	decipher.setAAD(sealed.subarray(0, 36));
	decipher.setAuthTag(sealed.subarray(sealed.length - 16));
	const plain = Buffer.concat([
		decipher.update(sealed.subarray(36, sealed.length - 16)),
		decipher.final()
	]);
	const text = gunzipSync(plain).toString('utf8');
	return text ? text.split('\n').map((line) => JSON.parse(line) as ArchivedRow) : [];
}

/** Writes the file durably under its final name; returns its SHA-256. */
export function writeArchiveFile(file: string, bytes: Buffer): string {
	const temporary = `${file}.partial`;
	const fd = openSync(temporary, 'wx', 0o600);
	try {
		writeSync(fd, bytes);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	renameSync(temporary, file);
	return createHash('sha256').update(readFileSync(file)).digest('hex');
}
