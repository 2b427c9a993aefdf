// The routes allowed a large body exist, and a body sent without a length is cut at the limit.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, discardBody, uploadRoutes, withBodyLimit } from './bodies';

const streamOf = (sizes: number[]) =>
	new ReadableStream<Uint8Array>({
		start(controller) {
			for (const size of sizes) controller.enqueue(new Uint8Array(size));
			controller.close();
		}
	});

describe('request bodies', () => {
	it('allows large bodies only on routes that exist', () => {
		for (const route of uploadRoutes) expect(existsSync(`src/routes${route}`), route).toBe(true);
	});

	it('cuts a body without a length at the limit, and passes a smaller one whole', async () => {
		const post = (sizes: number[]) =>
			new Request('http://localhost/x', {
				method: 'POST',
				body: streamOf(sizes),
				duplex: 'half'
			} as RequestInit);
		await expect(withBodyLimit(post([100, 100]), 256).arrayBuffer()).resolves.toHaveProperty(
			'byteLength',
			200
		);
		const cut = await withBodyLimit(post([200, 200]), 256)
			.arrayBuffer()
			.then(
				() => null,
				(error: unknown) => error
			);
		expect(cut).toBeInstanceOf(Error);
		expect(String((cut as Error).cause ?? cut)).toMatch(/more than 256 bytes|BodyTooLarge/);
		expect(BodyTooLargeError.name).toBe('BodyTooLargeError');
	});

	it('reads an unused body to its end without keeping it', async () => {
		const request = new Request('http://localhost/x', {
			method: 'POST',
			body: streamOf([1024, 1024]),
			duplex: 'half'
		} as RequestInit);
		await discardBody(request);
		expect(request.bodyUsed).toBe(true);
	});
});
