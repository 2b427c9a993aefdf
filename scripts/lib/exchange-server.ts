// The portal's exchange endpoints on a plain Node HTTP server, for the tests and the benchmark
// that run the back office's pull against them without the whole app (the routes call the same
// answerExchange). Listens on a free loopback port; `url` is the portal's origin.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PublicKeys } from '../../src/lib/server/crypto/ed25519';
import type { PortalZoneExecutor } from '../../src/lib/server/db';
import { answerExchange } from '../../src/lib/server/exchange/portal';

export async function serveExchange(
	zone: PortalZoneExecutor,
	keys: PublicKeys
): Promise<{ url: string; close: () => Promise<void> }> {
	const server = http.createServer(async (incoming, outgoing) => {
		const chunks: Buffer[] = [];
		for await (const chunk of incoming) chunks.push(chunk as Buffer);
		const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
			method: incoming.method,
			headers: incoming.headers as Record<string, string>,
			body: incoming.method === 'GET' ? undefined : Buffer.concat(chunks)
		});
		const endpoint = incoming.url!.startsWith('/exchange/v1/items')
			? 'items'
			: incoming.url!.startsWith('/exchange/v1/projection')
				? 'projection'
				: 'ack';
		try {
			const response = await answerExchange(zone, keys, endpoint, request);
			outgoing.writeHead(response.status, Object.fromEntries(response.headers));
			outgoing.end(await response.text());
		} catch {
			outgoing.destroy(); // closing down: the long poll in flight has no database any more
		}
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: async () => {
			server.closeAllConnections();
			await new Promise((resolve) => server.close(resolve));
		}
	};
}
