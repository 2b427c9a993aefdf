// Files from residents are scanned by ClamAV's daemon before they are decoded and stored
// (ASVS 5.4.3). Re-encoding (attachments.ts) already drops what hides around an image, but a PDF
// keeps its content streams, and a decoder is itself something an attacker aims at: the scan
// comes first. clamd is reached over its socket with the INSTREAM command, so the file never
// touches a disk here; the city keeps clamd's signatures current from its own mirror (freshclam
// or cvdupdate), which LGWAN-side hosts need anyway.
import net from 'node:net';

export type ScanResult = { infected: false } | { infected: true; signature: string };
export type Scanner = (bytes: Uint8Array) => Promise<ScanResult>;

/** clamd did not answer, answered late, or answered something that is not a verdict. */
export class ScannerUnavailable extends Error {
	override name = 'ScannerUnavailable';
}

/** CLAMD_SOCKET: a Unix socket path (/run/clamav/clamd.ctl) or tcp://host:port. */
export function clamdAddress(spec: string): net.NetConnectOpts {
	const tcp = /^tcp:\/\/([^/:]+):(\d{1,5})$/.exec(spec);
	if (tcp) return { host: tcp[1]!, port: Number(tcp[2]) };
	return { path: spec };
}

const chunkBytes = 64 * 1024;

/** Streams the bytes to clamd and reads its one-line verdict. */
export function scanWithClamd(
	address: net.NetConnectOpts,
	bytes: Uint8Array,
	timeoutMs = 30_000
): Promise<ScanResult> {
	return new Promise((resolve, reject) => {
		const socket = net.connect(address);
		const replies: Buffer[] = [];
		let settled = false;
		// clamd may answer and close before the whole stream is written (a size limit): the
		// answer counts, not the broken pipe that follows it.
		const settle = (problem?: string) => {
			if (settled) return;
			settled = true;
			socket.destroy();
			const reply = Buffer.concat(replies).toString('utf8').replace(/\0$/, '').trim();
			const verdict = parseVerdict(reply);
			if (verdict) resolve(verdict);
			else
				reject(
					new ScannerUnavailable(problem ?? `clamd answered: ${reply.slice(0, 200) || 'nothing'}`)
				);
		};
		socket.setTimeout(timeoutMs, () => settle(`no verdict within ${timeoutMs} ms`));
		socket.on('error', (error) => settle(error.message));
		socket.on('data', (data) => replies.push(data));
		socket.on('end', () => settle());
		socket.on('connect', () => {
			// z: commands and replies end with NUL. Each chunk is a 4-byte big-endian length and its
			// bytes; a zero length ends the stream.
			socket.write('zINSTREAM\0');
			for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
				const chunk = bytes.subarray(offset, offset + chunkBytes);
				const length = Buffer.alloc(4);
				length.writeUInt32BE(chunk.length);
				socket.write(length);
				socket.write(chunk);
			}
			socket.write(Buffer.alloc(4));
		});
	});
}

/** clamd's reply to INSTREAM: "stream: OK", "stream: <signature> FOUND", or an error line. */
export function parseVerdict(reply: string): ScanResult | null {
	if (reply === 'stream: OK') return { infected: false };
	const found = /^stream: (.+) FOUND$/.exec(reply);
	return found ? { infected: true, signature: found[1]! } : null;
}
