// The shape STYLE.md promises, checked on the code itself: no two folders of src/lib/server
// import each other, directly or round a longer loop, and the committed picture of the graph
// (docs/architecture/server-imports.svg) is the current one; every domain door writes its own
// audit entry or says why it reads nothing personal.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { domainDoors } from '../../../scripts/audit-doors';
import { cycles, picturePath, renderSvg, serverImportGraph } from '../../../scripts/import-graph';

describe('the import graph of src/lib/server', () => {
	it('has no cycle between folders', () => {
		expect(cycles(serverImportGraph())).toEqual([]);
	});

	it('is drawn as it is in docs/architecture (npm run graph redraws it)', () => {
		expect(readFileSync(picturePath, 'utf8')).toBe(renderSvg(serverImportGraph()));
	});

	it('finds a cycle round three folders, through $lib and relative imports alike', () => {
		const root = mkdtempSync(join(tmpdir(), 'graph-'));
		const file = (path: string, text: string) => {
			mkdirSync(join(root, path, '..'), { recursive: true });
			writeFileSync(join(root, path), text);
		};
		file('a/one.ts', "import { two } from '../b/two';\nexport const one = 1;\n");
		file('b/two.ts', "import { three } from '$lib/server/c/three';\nexport const two = 2;\n");
		file('c/three.ts', "import type { one } from '../a/one';\nexport const three = 3;\n");
		file('time.ts', 'export const now = 0;\n');
		file('c/uses-time.ts', "import { now } from '../time';\n");
		const graph = serverImportGraph(root);
		expect(graph.nodes).toEqual(['a', 'b', 'c', 'time']);
		expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
	});
});

describe('the domain doors (exported functions taking the database and a Caller)', () => {
	it('each write an audit entry themselves, or say with @audit none why they need not', () => {
		const doors = domainDoors();
		// The list is the code's: at least the doors of the cases, the desk and the portal.
		expect(doors.map((door) => door.name)).toEqual(
			expect.arrayContaining(['openCase', 'takeCaseAction', 'personRecord', 'inquiryLog'])
		);
		const silent = doors.filter((door) => !door.audits && !door.exempt);
		expect(silent.map((door) => `${door.file} ${door.name}`)).toEqual([]);
		for (const door of doors.filter((door) => door.exempt)) {
			// A reason, not just the tag.
			expect(door.exempt!.length, `${door.file} ${door.name}`).toBeGreaterThan(20);
		}
	}, 60_000);

	it('tells a door that audits through a helper from one that forgets', () => {
		const root = mkdtempSync(join(tmpdir(), 'doors-'));
		const file = (path: string, text: string) => {
			mkdirSync(join(root, path, '..'), { recursive: true });
			writeFileSync(join(root, path), text);
		};
		file(
			'tsconfig.json',
			JSON.stringify({ compilerOptions: { strict: true, module: 'esnext', target: 'es2022' } })
		);
		file(
			'server/audit.ts',
			'export type Executor = {};\nexport type Caller = { id: string };\n' +
				'export async function recordAudit(db: Executor, entry: object) {}\n'
		);
		file(
			'server/cases.ts',
			"import { recordAudit, type Caller, type Executor } from './audit';\n" +
				'async function read(db: Executor) { await recordAudit(db, {}); return 1; }\n' +
				'export async function openCase(db: Executor, caller: Caller) { return read(db); }\n' +
				'export async function forgetful(db: Executor, caller: Caller) { return 2; }\n' +
				'/** @audit none — the catalogue only, nothing about anyone */\n' +
				'export const catalogue = async (db: Executor, caller: Caller) => 3;\n' +
				'export function notADoor(caller: Caller) { return caller.id; }\n'
		);
		const doors = domainDoors(join(root, 'server'), join(root, 'tsconfig.json'));
		expect(
			doors.map(({ name, audits, exempt }) => ({ name, audits, exempt: Boolean(exempt) }))
		).toEqual([
			{ name: 'catalogue', audits: false, exempt: true },
			{ name: 'forgetful', audits: false, exempt: false },
			{ name: 'openCase', audits: true, exempt: false }
		]);
	}, 60_000);
});
