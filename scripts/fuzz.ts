// npm run fuzz [-- --runs 200] [--seed N]
// Hostile input against the built app, with fast-check: every form a signed-in resident and each
// kind of staff member can reach (found by following links, as a browser would) is posted with
// generated values — unicode edge cases, control characters, 100,000-character fields, repeated
// and unknown fields, path traversal and CRLF header injection; forms that take files get them as
// multipart (truncated and polyglot files, SVG, zip, hostile names) and broken multipart bodies
// — and every JSON endpoint in the
// route tree gets generated JSON (deep nesting, wrong types, huge strings). The only acceptable
// answers are 2xx, 3xx and 4xx: a 5xx, a header echoed from input, or a file from outside the app
// is a failure, shrunk by fast-check to the smallest input that shows it. Exits 1 on any.
// `--runs 15` runs in npm test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { sql } from 'kysely';
import { startHarness } from './lib/app-harness';
import { crawl, leave } from './lib/crawl';

const { values } = parseArgs({
	options: {
		runs: { type: 'string', default: '100' },
		seed: { type: 'string' },
		roles: {
			type: 'string',
			default: 'caseworker,approver,desk,auditor,admin,contractor,relief_officer'
		}
	}
});
const runs = Number(values.runs);
const seed = values.seed ? Number(values.seed) : Date.now() % 2 ** 31;

/** Values nobody should be able to break the app with. */
const hostile = fc.oneof(
	fc.string({ unit: 'grapheme', maxLength: 40 }),
	fc.string({ unit: 'binary', maxLength: 40 }), // lone surrogates, any code point
	fc.constantFrom(
		'',
		' ',
		'\u0000',
		'\u202e\u0661\u0662', // right-to-left override, Arabic digits
		'ｱｲｳ１２３',
		'𠮷野家',
		'e\u0301', // a combining accent
		'../../../../etc/passwd',
		'..%2f..%2f..%2fetc%2fpasswd',
		'x\r\nSet-Cookie: injected=1',
		'x\r\nLocation: https://evil.example',
		"' OR 1=1 --",
		'<script>alert(1)</script>',
		'{"__proto__":{"admin":true}}',
		'-1',
		'1e309',
		'2026-02-30',
		'99999999999999999999999',
		'123456789018' // a 個人番号 with a valid check digit
	),
	fc.constant('あ'.repeat(100_000)),
	fc.integer().map(String),
	fc.uuid()
);

/** Files nobody should be able to break an upload with: the first bytes of each accepted type
 * followed by garbage (truncated, or a polyglot), random bytes, nothing, and names that try to
 * leave the directory, break the header or overflow it. */
const magic = [
	[0xff, 0xd8, 0xff, 0xe0],
	[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
	[...Buffer.from('%PDF-1.7\n')],
	[...Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">')],
	[0x50, 0x4b, 0x03, 0x04] // a zip
];
const hostileFile = fc.record({
	name: fc.oneof(
		hostile,
		fc.constantFrom(
			'../../etc/passwd',
			'a\r\nContent-Type: text/html.pdf',
			'x.pdf\u0000.exe',
			'x'.repeat(300) + '.jpg'
		)
	),
	type: fc.constantFrom(
		'image/jpeg',
		'image/png',
		'application/pdf',
		'image/svg+xml',
		'text/html',
		''
	),
	bytes: fc.oneof(
		fc.uint8Array({ maxLength: 4_000 }),
		fc
			.tuple(fc.constantFrom(...magic), fc.uint8Array({ maxLength: 4_000 }))
			.map(([head, tail]) => Uint8Array.from([...head, ...tail])),
		fc.constant(new Uint8Array(0))
	)
});

/** Multipart bodies a parser might trip over, sent as they are. */
const brokenMultipart = (boundary: string) => [
	`--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nx`, // never closed
	`--other\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--other--\r\n`, // wrong boundary
	`--${boundary}\r\nContent-Disposition: form-data\r\n\r\nno name\r\n--${boundary}--\r\n`,
	`--${boundary}\r\nContent-Disposition: form-data; name="attachment"; filename="a\r\n\r\n--${boundary}--\r\n`,
	`--${boundary}\r\n`.repeat(2_000) + `--${boundary}--\r\n`, // 2,000 empty parts
	''
];

/** fast-check's report, without the 100,000 characters a counterexample may hold. */
function counterexample(error: Error) {
	const text = error.message.replace(/\s+/g, ' ');
	problems.push(`${text.slice(0, 200)} … ${text.slice(-300)}`);
}

/** A form's fields with the values the page offers (hidden values, radio and option choices). */
type Form = { page: string; action: string; fields: Map<string, string[]>; files: string[] };

function formsOn(page: string, html: string, origin: string): Form[] {
	const forms: Form[] = [];
	for (const [, attributes, body] of html.matchAll(/<form([^>]*)>([\s\S]*?)<\/form>/g)) {
		if (!/method="post"/i.test(attributes!)) continue;
		const action = /action="([^"]*)"/.exec(attributes!)?.[1]?.replaceAll('&amp;', '&') ?? '';
		const url = new URL(action, origin + page);
		const target = url.pathname + url.search;
		if (leave.some((word) => target.includes(word))) continue;
		const named = [...body!.matchAll(/<(?:input|select|textarea)[^>]*>/g)].map((m) => m[0]);
		const nameOf = (tag: string) => /name="([^"]+)"/.exec(tag)?.[1];
		const files = named.filter((tag) => /type="file"/.test(tag)).map(nameOf);
		const fields = new Map<string, string[]>();
		for (const tag of named) {
			const name = nameOf(tag);
			if (!name || files.includes(name)) continue;
			const offered = /value="([^"]*)"/.exec(tag)?.[1]?.replaceAll('&amp;', '&');
			fields.set(name, [...(fields.get(name) ?? []), ...(offered ? [offered] : [])]);
		}
		for (const [, name, options] of body!.matchAll(
			/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g
		)) {
			const values = [...options!.matchAll(/<option[^>]*value="([^"]*)"/g)].map((m) => m[1]!);
			fields.set(name!, [...(fields.get(name!) ?? []), ...values]);
		}
		forms.push({
			page,
			action: target,
			fields,
			// A form without enctype posts urlencoded: its file inputs then send only names.
			files: /enctype="multipart\/form-data"/i.test(attributes!)
				? [...new Set(files as string[])]
				: []
		});
	}
	return forms;
}

/** Route ids of every +server.ts with a POST handler (the JSON ceremonies, mostly). */
function postEndpoints(dir = 'src/routes', prefix = ''): string[] {
	const found: string[] = [];
	for (const name of readdirSync(dir)) {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) {
			// Route groups like (portal) are not part of the path.
			found.push(...postEndpoints(full, /^\(.*\)$/.test(name) ? prefix : `${prefix}/${name}`));
		} else if (name === '+server.ts' && /export const POST/.test(readFileSync(full, 'utf8'))) {
			found.push(prefix || '/');
		}
	}
	return found;
}

const harness = await startHarness({ port: 4394, residents: 300, clients: 1 });
const problems: string[] = [];
let requests = 0;
try {
	await harness.startApp();
	const { resident, draft } = await harness.residentWithRequests();
	// A draft at its upload step, so the multipart form is among those found.
	const withFiles = await resident.draftCertificate();

	const send = async (target: string, init: RequestInit, what: string) => {
		requests++;
		const response = await fetch(harness.origin + target, {
			...init,
			redirect: 'manual',
			headers: { origin: harness.origin, ...(init.headers as Record<string, string>) }
		}).catch((error: Error) => {
			problems.push(`${what} → no answer (${error.cause ?? error.message})`);
			return null;
		});
		if (!response) return false;
		const text = await response.text();
		const injected =
			(response.headers.get('set-cookie') ?? '').includes('injected') ||
			(response.headers.get('location') ?? '').includes('evil.example');
		if (response.status >= 500 || injected || text.includes('root:x:0:0')) {
			problems.push(`${what} → ${response.status}${injected ? ' (header injected)' : ''}`);
			return false;
		}
		return true;
	};

	let multipartForms = 0;
	const forms = new Map<string, { form: Form; cookie: string }>();
	for (const role of values.roles.split(',')) {
		const cookie = `${resident.cookieHeader()}; ${await harness.staffCookie(role)}`;
		const starts = [
			'/home',
			`/applications/${draft.applicationId}/person`,
			withFiles.evidence,
			'/staff'
		];
		for (const page of await crawl(harness.origin, cookie, starts)) {
			const response = await fetch(harness.origin + page, { headers: { cookie } });
			for (const form of formsOn(page, await response.text(), harness.origin)) {
				// One entry per action, ids and all: the same form on another case is the same code.
				const key = form.action.replace(/[0-9a-f-]{36}/g, ':id');
				if (!forms.has(key)) forms.set(key, { form, cookie });
			}
		}
	}
	console.log(
		`fuzz: seed ${seed}, ${runs} runs per form; ${forms.size} distinct form actions found by following links`
	);

	for (const { form, cookie } of forms.values()) {
		const fieldValues = fc.record(
			Object.fromEntries(
				// A value the page offers now and then, so that hostile values in the other fields
				// (and the files) get past the first check and reach the code behind it.
				[...form.fields].map(([field, offered]) => [
					field,
					fc.oneof(
						...(offered.length ? [fc.constantFrom(...offered)] : []),
						hostile,
						fc.array(hostile, { maxLength: 3 })
					)
				])
			)
		);
		const extra = fc.dictionary(fc.string({ maxLength: 12 }), hostile, { maxKeys: 3 });
		const fileValues = fc.array(hostileFile, { maxLength: 3 });
		await fc
			.assert(
				fc.asyncProperty(fieldValues, extra, fileValues, async (fields, unknown, files) => {
					const entries = Object.entries({ ...unknown, ...fields }).flatMap(([name, value]) =>
						[value].flat().map((one) => [name, one] as const)
					);
					if (form.files.length === 0) {
						return send(
							form.action,
							{
								method: 'POST',
								headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
								body: new URLSearchParams(entries.map(([name, one]) => [name, one]))
							},
							`POST ${form.action} (form on ${form.page})`
						);
					}
					const body = new FormData();
					for (const [name, one] of entries) body.append(name, one);
					for (const file of files) {
						const blob = new Blob([file.bytes], { type: file.type });
						body.append(form.files[0]!, blob, file.name);
					}
					return send(
						form.action,
						{ method: 'POST', headers: { cookie }, body },
						`POST ${form.action} (multipart, ${files.length} files, on ${form.page})`
					);
				}),
				{ numRuns: runs, seed, endOnFailure: true }
			)
			.catch(counterexample);
		if (form.files.length > 0) {
			multipartForms++;
			const boundary = 'fuzzboundary';
			for (const [index, body] of brokenMultipart(boundary).entries()) {
				await send(
					form.action,
					{
						method: 'POST',
						headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
						body
					},
					`POST ${form.action} (broken multipart body ${index + 1})`
				);
			}
		}
	}
	console.log(`${multipartForms} of them take files: posted as multipart, with broken bodies too`);

	// JSON endpoints: route parameters filled with the resident's own draft, or anything.
	const cookie = `${resident.cookieHeader()}; ${await harness.staffCookie('admin')}`;
	const endpoints = postEndpoints().map((route) =>
		route.replace(/\[id\]/g, draft.applicationId).replace(/\[[^\]]+\]/g, 'x')
	);
	const json = fc.oneof(
		fc.jsonValue({ maxDepth: 4 }),
		fc.constant('{"a":'.repeat(5_000)), // 5,000 levels deep, unclosed
		fc.constant(JSON.stringify({ response: { clientDataJSON: 'あ'.repeat(200_000) } })),
		fc.record({
			id: hostile,
			rawId: hostile,
			type: hostile,
			response: fc.record({
				clientDataJSON: hostile,
				authenticatorData: hostile,
				signature: hostile
			})
		})
	);
	for (const endpoint of endpoints) {
		await fc
			.assert(
				fc.asyncProperty(json, async (value) =>
					send(
						endpoint,
						{
							method: 'POST',
							headers: { cookie, 'content-type': 'application/json', accept: 'application/json' },
							body:
								typeof value === 'string' && value.startsWith('{"a":')
									? value
									: JSON.stringify(value)
						},
						`POST ${endpoint} (JSON)`
					)
				),
				{ numRuns: runs, seed, endOnFailure: true }
			)
			.catch(counterexample);
	}
	console.log(`${endpoints.length} JSON endpoints from the route tree`);

	// Paths that try to leave the app, and headers that try to get into the answer.
	for (const target of [
		'/../../../../etc/passwd',
		'/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
		'/documents/..%2f..%2f..%2fetc%2fpasswd',
		`/applications/${draft.applicationId}/attachments/..%2f..%2f..%2fetc%2fpasswd`,
		'/_app/immutable/../../../../../etc/passwd',
		'/staff/documents/%00',
		'/sign-in?next=https://evil.example',
		'/sign-in?next=//evil.example',
		'/sign-in?next=%0d%0aSet-Cookie:%20injected=1',
		'/language?lang=en&redirect=https://evil.example'
	]) {
		await send(target, { headers: { cookie } }, `GET ${target}`);
	}
	const { rows } = await sql<{ result: string; count: string }>`
		SELECT result, count(*) AS count FROM audit.entry WHERE action = 'attachment.add'
		GROUP BY result ORDER BY result`.execute(harness.owner);
	console.log(
		`${requests} requests; uploads that reached the attachment code: ${rows.map((row) => `${row.count} ${row.result}`).join(', ') || 'none'}`
	);
} finally {
	await harness.stop();
}
const serverErrors = harness.appLog().match(/"status":5\d\d/g)?.length ?? 0;
for (const problem of problems) console.error(`FAIL ${problem}`);
for (const line of harness.appErrors()) console.error(`app: ${line}`);
console.log(
	`${problems.length} failures; ${serverErrors} server errors in the app's log${problems.length ? ` (rerun with --seed ${seed})` : ''}`
);
process.exit(problems.length || serverErrors ? 1 : 0);
