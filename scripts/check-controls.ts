// npm run check:controls (part of npm test)
// The controls table in docs/security.md names, for each control, the tests or scripts that show
// it: `path` › exact test title. This checks that every named file exists and still holds that
// title, and that every software-carried control of DOMAIN.md §6 has a row, so the table cannot
// drift from the tests. A row may say "not built" instead of naming a test; it is counted.
import { existsSync, readFileSync } from 'node:fs';

/** DOMAIN.md §6, the controls the seeds promise (kept here: CI has only this repository). */
const domainControls = [
	'AUTH-1', 'AUTH-5', 'AUTH-7',
	'ACL-1', 'ACL-2', 'ACL-3', 'ACL-4', 'ACL-9',
	'LOG-1', 'LOG-2', 'LOG-3', 'LOG-4', 'LOG-5', 'LOG-6',
	'ACC-1', 'ACC-2', 'ACC-4', 'ACC-7',
	'EXP-1', 'EXP-3', 'EXP-6',
	'RET-1', 'RET-2', 'RET-5',
	'ID-1', 'RAUTH-1'
]; // prettier-ignore

const doc = readFileSync('docs/security.md', 'utf8');
const start = doc.indexOf('<!-- controls:start -->');
const end = doc.indexOf('<!-- controls:end -->');
if (start < 0 || end < 0) throw new Error('docs/security.md: controls markers missing');
const rows = doc
	.slice(start, end)
	.split('\n')
	.filter((line) => /^\| [A-Z]/.test(line) && !line.startsWith('| control'));

const problems: string[] = [];
const ids = new Set<string>();
let shown = 0;
let notBuilt = 0;
for (const row of rows) {
	const [id, , evidence] = row
		.split('|')
		.slice(1, -1)
		.map((cell) => cell.trim());
	if (!id || evidence === undefined) {
		problems.push(`row without three cells: ${row.slice(0, 60)}`);
		continue;
	}
	for (const one of id.split(/,\s*/)) ids.add(one);
	if (/^not built/i.test(evidence)) {
		notBuilt++;
		continue;
	}
	const references = [...evidence.matchAll(/`([^`]+)`(?: › ([^<]+))?/g)];
	if (references.length === 0) problems.push(`${id}: names no test`);
	for (const [, file, title] of references) {
		if (!existsSync(file!)) {
			problems.push(`${id}: ${file} does not exist`);
			continue;
		}
		if (title && !readFileSync(file!, 'utf8').includes(title.trim())) {
			problems.push(`${id}: ${file} has no test "${title.trim()}"`);
		}
	}
	shown++;
}
for (const control of domainControls) {
	if (![...ids].some((id) => id === control || id.startsWith(`${control}`)))
		problems.push(`DOMAIN.md §6 ${control} has no row`);
}
for (const problem of problems) console.error(`controls: ${problem}`);
console.log(
	`controls: ${rows.length} rows, ${shown} shown by tests, ${notBuilt} not built; ${problems.length} problems`
);
process.exit(problems.length ? 1 : 0);
