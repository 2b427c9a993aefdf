// Runs a command's body and turns an expected failure (bad configuration, busy database,
// failed migration) into one line on stderr and exit code 1, without a stack trace.
const expected = new Set(['ConfigError', 'DatabaseBusyError', 'MigrationError', 'UsageError']);

export class UsageError extends Error {
	override name = 'UsageError';
}

export async function runCommand(body: () => Promise<void>): Promise<void> {
	try {
		await body();
	} catch (error) {
		if (error instanceof Error && expected.has(error.name)) {
			console.error(`error: ${error.message}`);
		} else {
			console.error(error);
		}
		process.exitCode = 1;
	}
	// tsx does not pass process.exitCode on to its parent, so a failure exits explicitly.
	// (Success returns normally: `npm start` keeps serving after its body completes.)
	if (process.exitCode) process.exit(process.exitCode);
}
