// npm run bench:bodies [-- --posts 50 --megabytes 32]
// Large anonymous bodies against the built app (issue 24, item 7): `posts` concurrent POSTs of
// `megabytes` MB each (most with a Content-Length, one in five chunked, without one), while a
// signed-in resident keeps loading their dashboard. Prints the app's resident memory before and
// at its peak, the anonymous posts' answers, and the dashboard's latencies and errors meanwhile.
// Target: growth ≤ 64 MB, no 5xx for the resident.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startHarness } from '../lib/app-harness';

const { values } = parseArgs({
	options: {
		posts: { type: 'string', default: '50' },
		megabytes: { type: 'string', default: '32' }
	}
});
const posts = Number(values.posts);
const bytes = Number(values.megabytes) * 1024 * 1024;
const port = 4391;

const rssMb = (pid: number) => {
	const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
	return line ? Number(line[1]) / 1024 : 0;
};
const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** One anonymous POST of `bytes` zeros, written 64 KB at a time; resolves with the status. */
function bigPost(index: number): Promise<string> {
	const chunk = Buffer.alloc(64 * 1024);
	const chunked = index % 5 === 4;
	return new Promise((resolve) => {
		const request = http.request(
			{
				host: '127.0.0.1',
				port,
				method: 'POST',
				path: index % 2 ? '/sign-in' : '/enrol',
				headers: {
					'content-type': 'application/x-www-form-urlencoded',
					origin: `http://localhost:${port}`,
					'x-forwarded-for': `198.18.${index >> 8}.${index & 255}`,
					...(chunked ? {} : { 'content-length': String(bytes) })
				}
			},
			(response) => {
				response.resume();
				response.on('end', () => resolve(String(response.statusCode)));
			}
		);
		request.on('error', (error) => resolve(`reset (${(error as NodeJS.ErrnoException).code})`));
		let sent = 0;
		const write = () => {
			while (sent < bytes) {
				sent += chunk.length;
				if (!request.write(chunk)) return void request.once('drain', write);
			}
			request.end();
		};
		write();
	});
}

const harness = await startHarness({ port, residents: 200, clients: 1, clientAddresses: true });
try {
	await harness.startApp();
	const pid = harness.appPid()!;
	const { resident } = await harness.residentWithRequests();
	for (let i = 0; i < 20; i++) await resident.get('/home'); // warm
	const before = rssMb(pid);
	let peak = before;
	const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
	let running = true;
	const latencies: number[] = [];
	const residentStatuses = new Map<number, number>();
	const dashboard = (async () => {
		while (running) {
			const started = performance.now();
			const response = await resident.get('/home');
			await response.arrayBuffer();
			latencies.push(performance.now() - started);
			residentStatuses.set(response.status, (residentStatuses.get(response.status) ?? 0) + 1);
		}
	})();
	const started = performance.now();
	const answers = await Promise.all(Array.from({ length: posts }, (_, index) => bigPost(index)));
	const seconds = (performance.now() - started) / 1000;
	running = false;
	await dashboard;
	clearInterval(sampler);
	const counts = new Map<string, number>();
	for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
	latencies.sort((a, b) => a - b);
	const errors = [...residentStatuses].filter(([status]) => status >= 500);
	console.log(
		[
			`${posts} anonymous POSTs of ${values.megabytes} MB (${posts - Math.floor(posts / 5)} with Content-Length, ${Math.floor(posts / 5)} chunked) in ${seconds.toFixed(1)} s`,
			`answers: ${[...counts].map(([answer, n]) => `${answer} ×${n}`).join(', ')}`,
			`app RSS: ${before.toFixed(0)} MB before, ${peak.toFixed(0)} MB at peak, growth ${(peak - before).toFixed(0)} MB (target ≤ 64)`,
			`signed-in dashboard meanwhile: ${latencies.length} loads, p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, statuses ${[...residentStatuses].map(([status, n]) => `${status} ×${n}`).join(', ')}${errors.length ? ' — 5xx!' : ''}`
		].join('\n')
	);
	if (errors.length || peak - before > 64) process.exitCode = 1;
} finally {
	await harness.stop();
}
