// The return path after sign-in (issue 24, item 4): never another site, whatever a browser makes
// of control characters, backslashes, encoded slashes or Unicode; always a page we have.
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { residentSections, safeNext } from './next';

const origin = 'https://city.example.lg.jp';

/** Where a browser goes when told to go to `value` from a page of ours (WHATWG URL parsing). */
const followed = (value: string) => new URL(value, `${origin}/sign-in`);

describe('safeNext', () => {
	it('keeps a resident or staff page, with its query and fragment', () => {
		expect(safeNext('/applications/abc?tab=1#top', 'resident')).toBe('/applications/abc?tab=1#top');
		expect(safeNext('/staff/cases/1', 'staff')).toBe('/staff/cases/1');
		expect(safeNext('/home', 'resident')).toBe('/home');
	});

	it('sends everything else home', () => {
		const attacks = [
			'/\t/evil.example/phish',
			'/\n/evil.example',
			'/\r/evil.example',
			'//evil.example',
			'/\\evil.example',
			'\\/evil.example',
			'/%2f/evil.example',
			'/%5cevil.example',
			'/%09/evil.example',
			'https://evil.example/home',
			'javascript:alert(1)',
			'/\u3000/evil.example',
			'/\u0085/evil.example',
			'/staff/queues', // another realm
			'/nowhere',
			'home',
			''
		];
		for (const attack of attacks) {
			expect(safeNext(attack, 'resident'), JSON.stringify(attack)).toBe('/home');
		}
		expect(safeNext('/home', 'staff')).toBe('/staff');
		expect(safeNext('/\t/evil.example/staff', 'staff')).toBe('/staff');
	});

	it('never leads off the site or out of the realm, for any string (property)', () => {
		const pieces = fc.constantFrom(
			'/',
			'//',
			'\\',
			'\t',
			'\n',
			'\r',
			'%2f',
			'%2F',
			'%5c',
			'%00',
			'@',
			':',
			'.',
			'..',
			'?',
			'#',
			'evil.example',
			'home',
			'staff',
			'applications',
			'people',
			'\u3000',
			'\u2028',
			'\uff0f',
			'\u0000',
			' ',
			'http:',
			'https:'
		);
		const candidate = fc.oneof(
			fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join('')),
			fc.string({ unit: 'binary', maxLength: 24 }),
			fc.string({ unit: 'binary', maxLength: 24 }).map((tail) => `/${tail}`)
		);
		fc.assert(
			fc.property(
				candidate,
				fc.constantFrom('resident', 'staff') as fc.Arbitrary<'resident' | 'staff'>,
				(value, realm) => {
					const result = safeNext(value, realm);
					const url = followed(result);
					expect(url.origin).toBe(origin);
					const section = url.pathname.split('/')[1];
					if (realm === 'staff') expect(section).toBe('staff');
					else expect(residentSections as readonly string[]).toContain(section);
				}
			),
			{ numRuns: 5000 }
		);
	});

	it('knows every signed-in resident section the routes have', () => {
		const sections = readdirSync('src/routes/(portal)/(signed-in)', { withFileTypes: true })
			.filter((entry) => entry.isDirectory())
			.map((entry) => entry.name)
			.sort();
		expect([...residentSections].sort()).toEqual(sections);
	});
});
