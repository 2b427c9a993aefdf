// npm run demo [-- --residents N --seed S --as-of YYYY-MM-DD]
// Loads the synthetic demo city (さくら台市) into the database; the embedded one when DATABASE_URL
// is unset. The same seed and as-of date always give the same city.
import { parseArgs } from 'node:util';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { loadDemoCity } from '../src/lib/server/demo/load';
import { parseKeySpec } from '../src/lib/server/config';
import { runCommand, UsageError } from './lib/run';
import { tokyoDate } from '../src/lib/server/time';

function parseDemoArguments(argv: string[]) {
	const { values } = parseArgs({
		args: argv,
		options: {
			residents: { type: 'string', default: '2000' },
			seed: { type: 'string', default: '1' },
			'as-of': { type: 'string', default: tokyoDate(new Date()) }
		}
	});
	const residents = Number(values.residents);
	if (!Number.isInteger(residents) || residents < 1 || residents > 5_000_000) {
		throw new UsageError('--residents must be a whole number from 1 to 5000000');
	}
	if (!/^\d{4}-\d{2}-\d{2}$/.test(values['as-of']))
		throw new UsageError('--as-of must be a date YYYY-MM-DD');
	return { residents, seed: values.seed, asOf: values['as-of'] };
}

await runCommand(async () => {
	const options = parseDemoArguments(process.argv.slice(2));
	const database = await launchDatabase();
	const db = createDatabase(database.ownerUrl, { max: 2 });
	try {
		const keySpec = database.myNumberKey;
		if (!keySpec) throw new UsageError('MY_NUMBER_KEY is not set');
		const started = performance.now();
		let lastReport = 0;
		const result = await loadDemoCity(db, {
			...options,
			myNumberKey: parseKeySpec(keySpec),
			onProgress: (residents) => {
				if (process.stderr.isTTY && residents - lastReport >= 50_000) {
					lastReport = residents;
					process.stderr.write(
						`\r${residents.toLocaleString()} / ${options.residents.toLocaleString()} residents`
					);
				}
			}
		});
		if (process.stderr.isTTY && lastReport) process.stderr.write('\n');
		const seconds = (performance.now() - started) / 1000;
		console.log(
			`Loaded さくら台市 (seed ${options.seed}, as of ${options.asOf}): ${result.residents} residents in ${result.households} households, ` +
				`${result.guardianships} guardianships, ${result.doses} vaccination doses in ${seconds.toFixed(1)} s.`
		);
	} finally {
		await db.destroy();
		await database.stop();
	}
});
