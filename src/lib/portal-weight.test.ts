// A look-up of messages by a key built at run time (`$lib/messages`) makes the bundler ship every
// message of the app to that page: the resident's application page weighed 110 KB of
// JavaScript for it (issue 25; `npm run bench:weight` measures the pages). The resident's pages,
// read on cheap phones, name their messages instead.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
	return readdirSync(dir).flatMap((entry) => {
		const full = path.join(dir, entry);
		return statSync(full).isDirectory() ? files(full) : [full];
	});
}

describe('the portal’s pages', () => {
	it('never look messages up by key in the browser', () => {
		const pages = files(path.resolve('src/routes/(portal)')).filter((file) =>
			/\.svelte$|\+page\.ts$|\+layout\.ts$/.test(file)
		);
		expect(pages.length).toBeGreaterThan(10);
		const offenders = pages.filter((file) =>
			/from '\$lib\/(messages|relief)'/.test(readFileSync(file, 'utf8'))
		);
		expect(offenders).toEqual([]);
	});
});
