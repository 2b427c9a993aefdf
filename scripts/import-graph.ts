// The import graph of src/lib/server, one node per folder (a file at the top, such as time.ts, is
// a node of its own): what the architecture test checks for cycles and what
// docs/architecture/server-imports.svg draws. `npm run graph` writes the picture; `-- --check`
// fails when the committed one is not the code's (the test does the same).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const serverRoot = 'src/lib/server';
export const picturePath = 'docs/architecture/server-imports.svg';

export type ImportGraph = {
	nodes: string[];
	/** from → to → the imports (file → specifier) that make the edge. */
	edges: Map<string, Map<string, string[]>>;
};

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return /\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
	});
}

export function nodeOf(root: string, file: string): string {
	const parts = relative(root, file).split(sep);
	return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

export function serverImportGraph(root = serverRoot): ImportGraph {
	const absoluteRoot = resolve(root);
	const edges = new Map<string, Map<string, string[]>>();
	const nodes = new Set<string>();
	for (const file of sourceFiles(absoluteRoot)) {
		if (file.endsWith('types.generated.ts')) continue;
		const from = nodeOf(absoluteRoot, file);
		nodes.add(from);
		const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
		for (const { fileName: specifier } of importedFiles) {
			const target = specifier.startsWith('$lib/server/')
				? join(absoluteRoot, specifier.slice('$lib/server/'.length))
				: specifier.startsWith('.')
					? resolve(dirname(file), specifier)
					: null;
			if (!target || !target.startsWith(absoluteRoot + sep)) continue;
			const to = nodeOf(absoluteRoot, target.endsWith('.ts') ? target : `${target}.ts`);
			if (to === from) continue;
			const targets = edges.get(from) ?? new Map<string, string[]>();
			edges.set(from, targets);
			targets.set(to, [
				...(targets.get(to) ?? []),
				`${relative(absoluteRoot, file)} → ${specifier}`
			]);
		}
	}
	return { nodes: [...nodes].sort(), edges };
}

/** Strongly connected components with more than one node: the import cycles (Tarjan). */
export function cycles(graph: ImportGraph): string[][] {
	let counter = 0;
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const stack: string[] = [];
	const onStack = new Set<string>();
	const found: string[][] = [];
	const visit = (node: string) => {
		index.set(node, counter);
		low.set(node, counter);
		counter++;
		stack.push(node);
		onStack.add(node);
		for (const next of graph.edges.get(node)?.keys() ?? []) {
			if (!index.has(next)) {
				visit(next);
				low.set(node, Math.min(low.get(node)!, low.get(next)!));
			} else if (onStack.has(next)) {
				low.set(node, Math.min(low.get(node)!, index.get(next)!));
			}
		}
		if (low.get(node) === index.get(node)) {
			const component: string[] = [];
			let member: string;
			do {
				member = stack.pop()!;
				onStack.delete(member);
				component.push(member);
			} while (member !== node);
			if (component.length > 1) found.push(component.sort());
		}
	};
	for (const node of graph.nodes) if (!index.has(node)) visit(node);
	return found;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * The graph drawn in layers: a folder sits above everything it imports, so every arrow points
 * down. Deterministic (sorted names, no randomness), so the committed picture can be compared.
 */
export function renderSvg(graph: ImportGraph): string {
	const layer = new Map<string, number>();
	const depth = (node: string, seen: Set<string>): number => {
		if (layer.has(node)) return layer.get(node)!;
		if (seen.has(node)) return 0; // a cycle (the test fails on it); draw it anyway
		seen.add(node);
		const below = [...(graph.edges.get(node)?.keys() ?? [])].map((next) => depth(next, seen));
		const value = below.length === 0 ? 0 : Math.max(...below) + 1;
		layer.set(node, value);
		return value;
	};
	for (const node of graph.nodes) depth(node, new Set());
	const top = Math.max(0, ...layer.values());
	const rows: string[][] = [];
	for (let row = 0; row <= top; row++) {
		rows.push(graph.nodes.filter((node) => layer.get(node) === top - row));
	}
	const boxWidth = 128;
	const boxHeight = 30;
	const gapX = 24;
	const gapY = 70;
	const width = Math.max(...rows.map((row) => row.length)) * (boxWidth + gapX) + gapX;
	const height = rows.length * (boxHeight + gapY) + gapY / 2;
	const position = new Map<string, { x: number; y: number }>();
	rows.forEach((row, rowIndex) => {
		const rowWidth = row.length * (boxWidth + gapX) - gapX;
		row.forEach((node, column) => {
			position.set(node, {
				x: (width - rowWidth) / 2 + column * (boxWidth + gapX),
				y: gapY / 2 + rowIndex * (boxHeight + gapY)
			});
		});
	});
	// An arrow implied by a longer path (a → b → c makes a → c implied) is left out: the picture
	// shows the layers, the test checks every import.
	const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
		[...(graph.edges.get(from)?.keys() ?? [])].some(
			(next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen)))
		);
	const implied = (from: string, to: string) =>
		[...(graph.edges.get(from)?.keys() ?? [])].some((next) => next !== to && reaches(next, to));
	const lines: string[] = [];
	for (const [from, targets] of [...graph.edges].sort(([a], [b]) => a.localeCompare(b))) {
		for (const to of [...targets.keys()].sort()) {
			if (implied(from, to)) continue;
			const a = position.get(from)!;
			const b = position.get(to)!;
			lines.push(
				`<line x1="${a.x + boxWidth / 2}" y1="${a.y + boxHeight}" x2="${b.x + boxWidth / 2}" y2="${b.y}" marker-end="url(#arrow)"><title>${escape(from)} → ${escape(to)}</title></line>`
			);
		}
	}
	const boxes = graph.nodes.map((node) => {
		const { x, y } = position.get(node)!;
		return `<g><rect x="${x}" y="${y}" width="${boxWidth}" height="${boxHeight}" rx="4"/><text x="${x + boxWidth / 2}" y="${y + boxHeight / 2 + 5}">${escape(node)}</text></g>`;
	});
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="13">`,
		`<title>src/lib/server: which folder imports which (generated by npm run graph; arrows implied by a longer path left out)</title>`,
		`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#667"/></marker></defs>`,
		`<rect width="100%" height="100%" fill="#fff"/>`,
		`<g stroke="#99a" stroke-width="1">`,
		...lines,
		`</g>`,
		`<g fill="#eef3fb" stroke="#1a4f9c" text-anchor="middle">`,
		...boxes.map((box) => box.replace('<text ', '<text fill="#111" stroke="none" ')),
		`</g>`,
		`</svg>`,
		''
	].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const graph = serverImportGraph();
	const found = cycles(graph);
	for (const cycle of found) console.error(`import cycle between folders: ${cycle.join(', ')}`);
	const svg = renderSvg(graph);
	if (process.argv.includes('--check')) {
		const committed = readFileSync(picturePath, 'utf8');
		if (committed !== svg) {
			console.error(`${picturePath} is not the current graph: run npm run graph`);
			process.exit(1);
		}
	} else {
		writeFileSync(picturePath, svg);
		console.log(`${picturePath}: ${graph.nodes.length} folders, ${found.length} cycles`);
	}
	if (found.length > 0) process.exit(1);
}
