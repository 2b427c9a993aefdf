import { exportFile } from '$lib/server/vaccinations/exchange-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => exportFile(event);
