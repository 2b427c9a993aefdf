// npx tsx tests/support/with-clamd.ts <script> — runs a script (the e2e server: scripts/start.ts)
// with a real clamd beside it and CLAMD_SOCKET pointing at it, so every upload in the end-to-end
// journeys is scanned. clamd lives in DATA_DIR/clamd and stops when the script does.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startClamd } from '../../scripts/lib/clamd';

const [script, ...args] = process.argv.slice(2);
if (!script) throw new Error('usage: with-clamd.ts <script> [args…]');
const dir = process.env.DATA_DIR
	? path.join(process.env.DATA_DIR, 'clamd')
	: mkdtempSync(path.join(os.tmpdir(), 'clamd-'));
const clamd = await startClamd(dir);
const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
	stdio: 'inherit',
	env: { ...process.env, CLAMD_SOCKET: clamd.socket }
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
	process.on(signal, () => child.kill(signal));
}
child.on('exit', async (code, signal) => {
	await clamd.stop();
	process.exit(code ?? (signal ? 1 : 0));
});
