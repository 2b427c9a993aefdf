// npm run bench:search [-- --residents 1000000 --cases 100000 --queries 200]
// 宛名検索 and the back-office queues on a demo city of the given size in a throw-away embedded
// PostgreSQL: p50/p95/p99 per search form (people picked at random, searched as staff type them)
// and per queue query (counts, first page, a page deep in the queue) over open cases.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { queueCounts, queuePage } from '../../src/lib/server/applications/queues';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { searchResidents, type SearchCriteria } from '../../src/lib/server/residents/search';
import { scratchDatabase } from './scratch-database';

const { values } = parseArgs({
	options: {
		residents: { type: 'string', default: '1000000' },
		cases: { type: 'string', default: '100000' },
		queries: { type: 'string', default: '200' }
	}
});
const residents = Number(values.residents);
const cases = Number(values.cases);
const queries = Number(values.queries);
const city = '139998';

const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
function report(label: string, times: number[]) {
	const sorted = [...times].sort((a, b) => a - b);
	console.log(
		`${label.padEnd(44)} p50 ${percentile(sorted, 50).toFixed(2).padStart(6)} ms  p95 ${percentile(sorted, 95).toFixed(2).padStart(6)} ms  p99 ${percentile(sorted, 99).toFixed(2).padStart(6)} ms  (n=${times.length})`
	);
}
async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
	const started = performance.now();
	const result = await run();
	return [performance.now() - started, result];
}

const database = await scratchDatabase();
try {
	let started = performance.now();
	await loadDemoCity(database.owner, {
		seed: 'bench',
		residents,
		asOf: '2026-11-01',
		myNumberKey: { id: 'bench', key: randomBytes(32) }
	});
	console.log(
		`loaded ${residents.toLocaleString()} residents in ${((performance.now() - started) / 1000).toFixed(1)} s`
	);

	// Open cases: accounts for the first residents and applications in every open stage.
	started = performance.now();
	await sql`
		INSERT INTO resident_account (municipality_code, atena_number, user_handle, created_at)
		SELECT municipality_code, atena_number, decode(md5(random()::text) || md5(random()::text), 'hex'), now()
		FROM resident WHERE municipality_code = ${city} ORDER BY atena_number LIMIT ${cases}
		ON CONFLICT DO NOTHING`.execute(database.owner);
	await sql`
		INSERT INTO application (municipality_code, kind, applicant_account_id, subject_atena_number,
			status, stage, current_version, created_at, updated_at, submitted_at, due_on, reference)
		SELECT a.municipality_code,
			(ARRAY['reissue', 'certificate', 'relief', 'outside_request'])[1 + n % 4],
			a.id, a.atena_number,
			CASE n % 5 WHEN 0 THEN 'submitted' WHEN 3 THEN 'returned' ELSE 'in_review' END,
			CASE n % 5 WHEN 0 THEN 'new' WHEN 1 THEN 'assigned' WHEN 2 THEN 'awaiting_approval'
				WHEN 3 THEN 'returned' ELSE 'assigned' END,
			1, now(), now(), now() - (n % 60)::int * interval '1 day' - (n % 997)::int * interval '1 second',
			current_date + 14 - (n % 60)::int, 'B' || lpad(n::text, 8, '0')
		FROM (SELECT *, row_number() OVER (ORDER BY atena_number) AS n FROM resident_account
			WHERE municipality_code = ${city}) a`.execute(database.owner);
	await sql`ANALYZE`.execute(database.owner);
	console.log(
		`made ${cases.toLocaleString()} open cases in ${((performance.now() - started) / 1000).toFixed(1)} s`
	);

	const backoffice = database.backoffice(4);
	// People to look for, and how staff would type them.
	const { rows: people } = await sql<{
		atena_number: string;
		name_kana: string;
		name_kanji: string;
		name_romaji: string | null;
		birth_date: string;
		address: string;
	}>`SELECT atena_number, name_kana, name_kanji, name_romaji, birth_date, address
		FROM resident TABLESAMPLE SYSTEM (1) WHERE municipality_code = ${city}
		ORDER BY random() LIMIT ${queries}`.execute(database.owner);
	const { rows: romajiPeople } = await sql<(typeof people)[number]>`
		SELECT atena_number, name_kana, name_kanji, name_romaji, birth_date, address
		FROM resident TABLESAMPLE SYSTEM (1) WHERE municipality_code = ${city} AND name_romaji IS NOT NULL
		ORDER BY random() LIMIT ${queries}`.execute(database.owner);
	// Typed in hiragana with an ASCII space, as on a phone or an IME left in hiragana mode.
	const hiragana = (kana: string) =>
		kana
			.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
			.replace(/\u3000/g, ' ');
	const forms: [string, (person: (typeof people)[number]) => Partial<SearchCriteria>][] = [
		[
			'kana prefix (3) + birth date',
			(p) => ({ name: p.name_kana.slice(0, 3), birthDate: p.birth_date })
		],
		[
			'kana full in hiragana with a space + birth date',
			(p) => ({ name: hiragana(p.name_kana), birthDate: p.birth_date })
		],
		[
			'kanji family name + birth date',
			(p) => ({ name: p.name_kanji.split(/\s|\u3000/)[0], birthDate: p.birth_date })
		],
		[
			'romaji family name + birth date',
			(p) => ({ name: (p.name_romaji ?? 'a').split(' ')[0], birthDate: p.birth_date })
		],
		[
			'kana prefix (3) + address part',
			(p) => ({ name: p.name_kana.slice(0, 3), address: p.address.slice(-8) })
		],
		['atena number', (p) => ({ atena: p.atena_number })]
	];
	for (const [label, criteriaOf] of forms) {
		const times: number[] = [];
		let found = 0;
		// Only one person in ten has a romaji name on the register (foreign residents, and some).
		const sample = label.startsWith('romaji') ? romajiPeople : people;
		for (const person of sample) {
			const criteria = { name: '', birthDate: '', atena: '', address: '', ...criteriaOf(person) };
			const [ms, rows] = await timed(() => searchResidents(backoffice, city, criteria));
			times.push(ms);
			if (rows.some((row) => row.atenaNumber === person.atena_number)) found++;
		}
		report(`search: ${label}`, times);
		if (found < sample.length) console.log(`  (found the person ${found}/${sample.length} times)`);
	}

	const today = new Date().toISOString().slice(0, 10);
	const scope = { municipalityCode: city, staffId: '00000000-0000-4000-8000-000000000000', today };
	for (const kind of ['', 'certificate']) {
		const counts: number[] = [];
		const first: number[] = [];
		const deep: number[] = [];
		for (let i = 0; i < 50; i++) {
			counts.push((await timed(() => queueCounts(backoffice, { ...scope, kind })))[0]);
			const [ms, page] = await timed(() =>
				queuePage(backoffice, { ...scope, kind, queue: 'new', sort: 'received', after: '' })
			);
			first.push(ms);
			if (page.rows.length === 0) throw new Error('the new queue is empty');
		}
		// Consecutive pages through a whole queue by deadline: each costs what the first does.
		let cursor = '';
		for (let i = 0; i < 50; i++) {
			const [ms, page] = await timed(() =>
				queuePage(backoffice, {
					...scope,
					kind,
					queue: 'awaiting_approval',
					sort: 'due',
					after: cursor
				})
			);
			deep.push(ms);
			cursor = page.next ?? '';
		}
		const label = kind || 'all kinds';
		report(`queues (${label}): counts of 5 queues`, counts);
		report(`queues (${label}): first page of 50`, first);
		report(`queues (${label}): 50 consecutive pages (keyset)`, deep);
	}
} finally {
	await database.stop();
}
