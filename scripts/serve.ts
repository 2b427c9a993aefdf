// node --import tsx scripts/serve.ts — the built app in APP_PROCESSES processes on one port, for an
// environment already configured (the benchmark and fault harness; a server whose database and
// keys are set). npm start does the same after resolving the database.
import { processCount, serveInProcesses } from './lib/processes';
import { runCommand } from './lib/run';

await runCommand(async () => {
	const count = processCount(process.env.APP_PROCESSES);
	if (count === 1) await import(new URL('../build/index.js', import.meta.url).href);
	else {
		const workers = serveInProcesses(count);
		for (const signal of ['SIGTERM', 'SIGINT'] as const)
			process.once(signal, () => void workers.stop().then(() => process.exit(0)));
	}
});
