// The pages a signed-in browser can reach by following links, for the scanners and the fuzzer.

/** Links that end the session or undo the set-up (never followed, never attacked). */
export const leave = ['sign-out', 'withdraw', 'passkeys', 'language'];

/** Every same-origin page reachable from `starts` with these cookies (no assets, no exits). */
export async function crawl(origin: string, cookie: string, starts: string[], limit = 400) {
	const seen = new Set<string>();
	const queue = [...starts];
	while (queue.length && seen.size < limit) {
		const next = queue.shift()!;
		if (seen.has(next)) continue;
		seen.add(next);
		const response = await fetch(origin + next, { headers: { cookie }, redirect: 'manual' });
		if (!(response.headers.get('content-type') ?? '').includes('text/html')) continue;
		const html = await response.text();
		// SvelteKit writes relative links (./staff/cases, ../home).
		for (const [, href] of html.matchAll(/href="([^"#]+)"/g)) {
			const url = new URL(href!.replaceAll('&amp;', '&'), origin + next);
			const link = url.pathname + url.search;
			if (url.origin !== new URL(origin).origin || link.startsWith('/_app/')) continue;
			if (/\.(svg|png|css|js|ico)$/.test(url.pathname)) continue;
			if (leave.some((word) => link.includes(word))) continue;
			if (!seen.has(link)) queue.push(link);
		}
	}
	return [...seen];
}
