// The shape STYLE.md promises, checked on the code itself: no two folders of src/lib/server
// import each other, directly or round a longer loop, and the committed picture of the graph
// (docs/architecture/server-imports.svg) is the current one.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
