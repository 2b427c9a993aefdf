// The domain doors of src/lib/server and whether each writes an audit entry: a door is an
// exported function `(db: Executor, caller: Caller, …)` (or StaffCaller, ResidentCaller; or the
// portal zone's PortalZoneExecutor), which is what a route calls. It "audits" when its body, or a function it calls in src/lib/server (followed
// through the type checker, as deep as it goes), calls recordAudit, recordAudits or auditAs. A door
// that reads no personal data says so in its doc comment with `@audit none` and the reason.
// `npx tsx scripts/audit-doors.ts` prints the list; the architecture test asserts on it.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export type Door = { name: string; file: string; audits: boolean; exempt: string | null };

// reportViews: a portal-zone page's views, sent to the back office's log as an item (issue 27).
const auditCalls = new Set(['recordAudit', 'recordAudits', 'auditAs', 'reportViews']);
const callerTypes = /^(Caller|StaffCaller|ResidentCaller)$/;

type FunctionLike =
	ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression | ts.MethodDeclaration;

export function domainDoors(root = 'src/lib/server', tsconfig = 'tsconfig.json'): Door[] {
	const absoluteRoot = resolve(root);
	const parsed = ts.getParsedCommandLineOfConfigFile(
		resolve(tsconfig),
		{},
		{
			...ts.sys,
			onUnRecoverableConfigFileDiagnostic: () => {}
		}
	);
	const files = (parsed?.fileNames ?? []).filter(
		(file) => resolve(file).startsWith(absoluteRoot) && !file.endsWith('.test.ts')
	);
	const program = ts.createProgram(files, { ...(parsed?.options ?? {}), noEmit: true });
	const checker = program.getTypeChecker();
	const inRoot = (node: ts.Node) => resolve(node.getSourceFile().fileName).startsWith(absoluteRoot);

	const bodyOf = (declaration: ts.Declaration): FunctionLike | null => {
		if (
			ts.isFunctionDeclaration(declaration) ||
			ts.isMethodDeclaration(declaration) ||
			ts.isArrowFunction(declaration) ||
			ts.isFunctionExpression(declaration)
		) {
			return declaration;
		}
		if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
			const value = declaration.initializer;
			if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
		}
		return null;
	};

	const memo = new Map<ts.Node, boolean>();
	const reachesAudit = (fn: FunctionLike): boolean => {
		if (memo.has(fn)) return memo.get(fn)!;
		memo.set(fn, false); // a recursive path proves nothing by itself
		let found = false;
		const visit = (node: ts.Node): void => {
			if (found) return;
			if (ts.isCallExpression(node)) {
				const callee = ts.isPropertyAccessExpression(node.expression)
					? node.expression.name
					: node.expression;
				if (ts.isIdentifier(callee) && auditCalls.has(callee.text)) {
					found = true;
					return;
				}
				let symbol = checker.getSymbolAtLocation(callee);
				if (symbol && symbol.flags & ts.SymbolFlags.Alias)
					symbol = checker.getAliasedSymbol(symbol);
				for (const declaration of symbol?.declarations ?? []) {
					const body = bodyOf(declaration);
					if (body && inRoot(body) && reachesAudit(body)) {
						found = true;
						return;
					}
				}
			}
			ts.forEachChild(node, visit);
		};
		if (fn.body) visit(fn.body);
		memo.set(fn, found);
		return found;
	};

	const doors: Door[] = [];
	for (const source of program.getSourceFiles()) {
		if (
			!resolve(source.fileName).startsWith(absoluteRoot) ||
			source.fileName.endsWith('.test.ts')
		) {
			continue;
		}
		const consider = (name: string, fn: FunctionLike, docHost: ts.Node) => {
			const typeName = (index: number) => {
				const type = fn.parameters[index]?.type;
				return type && ts.isTypeReferenceNode(type) ? type.typeName.getText(source) : '';
			};
			// The back office's database, or the portal zone's own (issue 27).
			if (!/^(Executor|PortalZoneExecutor)$/.test(typeName(0)) || !callerTypes.test(typeName(1)))
				return;
			const exempt =
				ts
					.getJSDocTags(docHost)
					.find((tag) => tag.tagName.text === 'audit')
					?.comment?.toString()
					.trim() ?? null;
			doors.push({
				name,
				file: source.fileName.slice(source.fileName.indexOf('src/')),
				audits: reachesAudit(fn),
				exempt
			});
		};
		for (const statement of source.statements) {
			const exported = ts
				.getModifiers(statement as ts.HasModifiers)
				?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
			if (!exported) continue;
			if (ts.isFunctionDeclaration(statement) && statement.name) {
				consider(statement.name.text, statement, statement);
			}
			if (ts.isVariableStatement(statement)) {
				for (const declaration of statement.declarationList.declarations) {
					const body = bodyOf(declaration);
					if (body && ts.isIdentifier(declaration.name)) {
						consider(declaration.name.text, body, statement);
					}
				}
			}
		}
	}
	return doors.sort((a, b) => `${a.file}:${a.name}`.localeCompare(`${b.file}:${b.name}`));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	for (const door of domainDoors()) {
		const state = door.audits ? 'audits' : door.exempt ? `none: ${door.exempt}` : 'NO AUDIT';
		console.log(`${door.file} ${door.name}: ${state}`);
	}
}
