// Request bodies (issue 24, item 7). A form without files is small; only a signed-in resident or
// staff member on a route that takes files may send a large body (adapter-node's BODY_SIZE_LIMIT,
// 32 MB by npm start, bounds that). Everything else over the small limit is refused before it is
// read. A body no handler reads is read to its end chunk by chunk and dropped, never buffered:
// twelve anonymous 31 MB posts once took the process from 198 to 816 MB.

/** Forms without files: the longest (a desk request's texts) is a few kilobytes. */
export const smallBodyLimit = 256 * 1024;

/** The routes whose forms carry files. */
export const uploadRoutes: ReadonlySet<string> = new Set([
	'/(portal)/(signed-in)/applications/[id]/[step]',
	'/staff/vaccinations/exchange',
	'/staff/registry'
]);

export function declaredLength(request: Request): number | null {
	const header = request.headers.get('content-length');
	if (header === null || !/^[0-9]{1,15}$/.test(header)) return null;
	return Number(header);
}

export class BodyTooLargeError extends Error {
	override name = 'BodyTooLargeError';
}

/** The same request, with a body that fails once more than `limit` bytes have arrived. */
export function withBodyLimit(request: Request, limit: number): Request {
	if (!request.body) return request;
	let seen = 0;
	const limited = request.body.pipeThrough(
		new TransformStream<Uint8Array, Uint8Array>({
			transform(chunk, controller) {
				seen += chunk.byteLength;
				if (seen > limit) controller.error(new BodyTooLargeError(`more than ${limit} bytes`));
				else controller.enqueue(chunk);
			}
		})
	);
	return new Request(request, { body: limited, duplex: 'half' } as RequestInit);
}

/** Reads a body nobody used to its end, dropping each chunk as it comes. */
export async function discardBody(request: Request): Promise<void> {
	if (!request.body || request.bodyUsed) return;
	try {
		const reader = request.body.getReader();
		for (;;) if ((await reader.read()).done) break;
	} catch {
		// the client went away, or a limit stopped it: nothing more to read
	}
}
