// npm run dev — the Vite dev server with hot reload, on the same database resolution as npm start.
import { spawn } from 'node:child_process';
import { launchDatabase } from '../src/lib/server/db/launch';
import { runCommand } from './lib/run';

await runCommand(async () => {
	const database = await launchDatabase();
	const child = spawn('npx', ['vite', 'dev', ...process.argv.slice(2)], {
		stdio: 'inherit',
		env: { ORIGIN: 'http://localhost:5173', ...process.env, ...database.env }
	});
	const stop = async () => {
		child.kill('SIGTERM');
		await database.stop();
		process.exit(0);
	};
	process.once('SIGINT', () => void stop());
	process.once('SIGTERM', () => void stop());
	await new Promise((resolve) => child.once('exit', resolve));
	await database.stop();
});
