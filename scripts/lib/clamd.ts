// A real ClamAV daemon for the tests and the e2e servers (Debian: apt-get install clamav-daemon).
// Its signature database is one signature of ours for the EICAR test string, the industry's
// harmless stand-in for a virus: the official databases come from the internet, which CI has
// not, and the point is that our code acts on clamd's verdict, not which viruses clamd knows.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PDFDocument, PDFName } from 'pdf-lib';

/** The 68-byte EICAR test file (eicar.org). */
export const eicar = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
export const eicarSignature = 'Eicar-Test-Signature';

/** A one-page PDF whose page content stream carries `text` as a comment, byte for byte (a
 * place re-encoding keeps). */
export async function pdfCarrying(text: string): Promise<Buffer> {
	const document = await PDFDocument.create();
	const page = document.addPage([200, 200]);
	const content = document.context.register(document.context.stream(`% ${text}\n0 0 m\n`));
	page.node.set(PDFName.of('Contents'), content);
	return Buffer.from(await document.save());
}

const clamdPath = process.env.CLAMD_PATH ?? '/usr/sbin/clamd';

export type Clamd = { socket: string; stop(): Promise<void> };

/** Starts clamd in `dir` (created if missing) and resolves once it answers PING. */
export async function startClamd(
	dir: string,
	options: { streamMaxBytes?: number } = {}
): Promise<Clamd> {
	if (!existsSync(clamdPath)) {
		throw new Error(
			`No clamd at ${clamdPath}. Install it (Debian: apt-get install clamav-daemon) or set CLAMD_PATH.`
		);
	}
	mkdirSync(path.join(dir, 'signatures'), { recursive: true });
	// An .ndb body signature matches the string anywhere in a file, inside a PDF stream too.
	writeFileSync(
		path.join(dir, 'signatures', 'test.ndb'),
		`${eicarSignature}:0:*:${Buffer.from(eicar).toString('hex')}\n`
	);
	const socket = path.join(dir, 'clamd.sock');
	const conf = path.join(dir, 'clamd.conf');
	writeFileSync(
		conf,
		[
			`LocalSocket ${socket}`,
			`DatabaseDirectory ${path.join(dir, 'signatures')}`,
			'Foreground yes',
			`LogFile ${path.join(dir, 'clamd.log')}`,
			`PidFile ${path.join(dir, 'clamd.pid')}`,
			// Our uploads stop at 10 MB; clamd's own default is 25 MB.
			`StreamMaxLength ${options.streamMaxBytes ?? 26_214_400}`,
			''
		].join('\n')
	);
	const child = spawn(clamdPath, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
	let stderr = '';
	child.stderr.on('data', (data) => (stderr += data));
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	const stop = async () => {
		if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
		await exited;
	};
	const until = Date.now() + 60_000;
	while (Date.now() < until) {
		if (child.exitCode !== null) throw new Error(`clamd exited: ${stderr.trim().slice(0, 500)}`);
		if (existsSync(socket) && (await ping(socket))) return { socket, stop };
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	await stop();
	throw new Error('clamd did not answer within 60 s');
}

function ping(socket: string): Promise<boolean> {
	return new Promise((resolve) => {
		const connection = net.connect({ path: socket });
		let reply = '';
		connection.setTimeout(2_000, () => connection.destroy());
		connection.on('connect', () => connection.write('zPING\0'));
		connection.on('data', (data) => (reply += data));
		connection.on('close', () => resolve(reply.startsWith('PONG')));
		connection.on('error', () => resolve(false));
	});
}
