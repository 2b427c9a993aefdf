import { attachmentDownload } from '$lib/server/applications/wizard-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => attachmentDownload(event);
