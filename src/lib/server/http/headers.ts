// Security headers for every response the app renders (CSP itself comes from kit.csp in
// svelte.config.js, with per-response nonces and no inline scripts).
export function securityHeaders(url: URL): Record<string, string> {
	const headers: Record<string, string> = {
		'X-Content-Type-Options': 'nosniff',
		'X-Frame-Options': 'DENY',
		// same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on form posts,
		// which SvelteKit's CSRF check (rightly) refuses. Nothing leaks to other sites either way.
		'Referrer-Policy': 'same-origin',
		'Cross-Origin-Opener-Policy': 'same-origin',
		'Cross-Origin-Resource-Policy': 'same-origin',
		'Permissions-Policy':
			'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
		// Every rendered page or data response may carry personal data: never store it anywhere.
		'Cache-Control': 'no-store'
	};
	if (!isLocalHost(url.hostname)) {
		headers['Strict-Transport-Security'] = 'max-age=63072000; includeSubDomains';
	}
	return headers;
}

export function isLocalHost(hostname: string): boolean {
	return (
		hostname === 'localhost' ||
		hostname === '[::1]' ||
		hostname.startsWith('127.') ||
		hostname.endsWith('.localhost')
	);
}

/**
 * A file someone uploaded, shown in the browser and nothing more (EXP-3): inline, never cached,
 * never sniffed as another type, in a sandbox that runs nothing it contains.
 */
export function inlineFile(file: { content: Uint8Array; content_type: string }): Response {
	return new Response(new Uint8Array(file.content), {
		headers: {
			'content-type': file.content_type,
			'content-disposition': 'inline',
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff',
			'content-security-policy': "default-src 'none'; img-src 'self'; sandbox",
			'cross-origin-resource-policy': 'same-origin'
		}
	});
}

/** A PDF we issued, as a download under its own name (never cached); `inline` opens it in place. */
export function pdfDownload(
	file: { fileName: string; content: Uint8Array },
	disposition: 'attachment' | 'inline' = 'attachment'
): Response {
	return new Response(new Uint8Array(file.content), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
}

/** An export (CSV, PDF) as a download with a plain ASCII name (never cached). */
export function exportDownload(file: {
	fileName: string;
	contentType: string;
	content: Uint8Array | string;
}): Response {
	return new Response(
		typeof file.content === 'string' ? file.content : new Uint8Array(file.content),
		{
			headers: {
				'Content-Type': file.contentType,
				'Content-Disposition': `attachment; filename="${file.fileName}"`,
				'Cache-Control': 'no-store',
				'X-Content-Type-Options': 'nosniff'
			}
		}
	);
}
