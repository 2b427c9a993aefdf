// A TCP relay between the back office and the portal (the network between the two zones, issue
// 27), or in front of a database server (the address a failover moves: a virtual IP, a DNS name),
// for the faults: it passes every byte until told to cut, or to send new connections elsewhere.
// Two cuts, as a network fails:
//   reset      every connection through it is reset (RST) and new ones are refused with a reset,
//              as a firewall that drops the session table or a relay that restarts does;
//   blackhole  nothing passes either way and nothing is answered, as when a link goes down
//              under established connections: the bytes sent meanwhile arrive once it is back
//              (TCP retransmits them), unless an end gives up first.
import net from 'node:net';

type Pair = { client: net.Socket; upstream: net.Socket; held: [net.Socket, Buffer][] };

export type CuttableRelay = {
	/** The relay's origin (http://127.0.0.1:port), to reach the target through it. */
	url: string;
	/** Connections the relay has taken since it started. */
	connections: () => number;
	/** Cuts for `ms`, then lets traffic through again (held bytes first, in order). */
	cut: (mode: 'reset' | 'blackhole', ms: number) => Promise<void>;
	/** New connections go to this port from now on (a failover); those open are reset. */
	retarget: (port: number) => void;
	close: () => Promise<void>;
};

export async function startRelay(target: { host: string; port: number }): Promise<CuttableRelay> {
	const pairs = new Set<Pair>();
	let upstreamPort = target.port;
	let state: 'open' | 'reset' | 'blackhole' = 'open';
	let taken = 0;
	const forward = (pair: Pair, to: net.Socket, chunk: Buffer) => {
		if (state === 'blackhole') pair.held.push([to, chunk]);
		else if (!to.destroyed) to.write(chunk);
	};
	const server = net.createServer((client) => {
		if (state === 'reset') {
			client.resetAndDestroy();
			return;
		}
		taken++;
		const upstream = net.connect(upstreamPort, target.host);
		const pair: Pair = { client, upstream, held: [] };
		pairs.add(pair);
		client.on('data', (chunk: Buffer) => forward(pair, upstream, chunk));
		upstream.on('data', (chunk: Buffer) => forward(pair, client, chunk));
		// One end closing closes the other, as the far end would see it (held bytes first).
		const end = (other: net.Socket) => () => {
			if (state === 'blackhole') pair.held.push([other, Buffer.alloc(0)]);
			else other.end();
		};
		client.on('end', end(upstream));
		upstream.on('end', end(client));
		const gone = () => {
			pairs.delete(pair);
			if (!client.destroyed) client.destroy();
			if (!upstream.destroyed) upstream.destroy();
		};
		client.on('close', gone);
		upstream.on('close', gone);
		client.on('error', gone);
		upstream.on('error', gone);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		connections: () => taken,
		async cut(mode, ms) {
			state = mode;
			if (mode === 'reset')
				for (const pair of [...pairs]) {
					pair.client.resetAndDestroy();
					pair.upstream.resetAndDestroy();
				}
			await new Promise((resolve) => setTimeout(resolve, ms));
			state = 'open';
			for (const pair of pairs) {
				for (const [to, chunk] of pair.held.splice(0)) {
					if (to.destroyed) continue;
					if (chunk.length === 0) to.end();
					else to.write(chunk);
				}
			}
		},
		retarget(port) {
			upstreamPort = port;
			for (const pair of [...pairs]) {
				pair.client.resetAndDestroy();
				pair.upstream.resetAndDestroy();
			}
		},
		async close() {
			for (const pair of pairs) {
				pair.client.destroy();
				pair.upstream.destroy();
			}
			await new Promise((resolve) => server.close(resolve));
		}
	};
}
