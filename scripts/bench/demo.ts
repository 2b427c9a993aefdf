// npm run bench:demo [-- --residents 1000000]
// Prints the time to generate the demo city in memory and to load it into a fresh embedded
// PostgreSQL (one transaction, unnest batches), with rows per second.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { generateHouseholds } from '../../src/lib/server/demo/generate';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { scratchDatabase } from './scratch-database';

const { values } = parseArgs({ options: { residents: { type: 'string', default: '1000000' } } });
const residents = Number(values.residents);
const options = { seed: 'bench', residents, asOf: '2026-11-01' };

let started = performance.now();
let doses = 0;
let made = 0;
for (const household of generateHouseholds(options)) {
	made += household.residents.length;
	doses += household.doses.length;
}
const generateSeconds = (performance.now() - started) / 1000;
console.log(
	`generate: ${made.toLocaleString()} residents, ${doses.toLocaleString()} doses in ${generateSeconds.toFixed(1)} s (${Math.round(made / generateSeconds).toLocaleString()} residents/s)`
);

const database = await scratchDatabase();
try {
	started = performance.now();
	const result = await loadDemoCity(database.owner, {
		...options,
		myNumberKey: { id: 'bench', key: randomBytes(32) }
	});
	const loadSeconds = (performance.now() - started) / 1000;
	const rows = result.residents * 2 + result.doses + result.guardianships;
	console.log(
		`generate + encrypt + load: ${result.residents.toLocaleString()} residents, ${result.doses.toLocaleString()} doses, ` +
			`${result.guardianships.toLocaleString()} guardianships (${rows.toLocaleString()} rows) in ${loadSeconds.toFixed(1)} s ` +
			`(${Math.round(rows / loadSeconds).toLocaleString()} rows/s)`
	);
} finally {
	await database.stop();
}
