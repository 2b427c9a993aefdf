// The back-office process's own job runner: started once by hooks.server.ts (never in the
// portal, which has no grant on the queue), used by staff actions to queue work.
import { ed25519Signer } from '../crypto/ed25519';
import { config } from '../config';
import { db } from '../db';
import { servedMunicipalityIfAny } from '../municipality/served';
import { startJobs, type JobRunner } from './boss';

let runner: Promise<JobRunner> | undefined;

function residentRelyingParty(portalOrigin: string, rpId: string) {
	const host = new URL(portalOrigin).hostname;
	return { origin: portalOrigin, rpId: host === rpId || host.endsWith(`.${rpId}`) ? rpId : host };
}

async function start(): Promise<JobRunner> {
	const { databaseUrl, origin, rpId, auditCheckpoint, exchange, municipalityCode } = config();
	const city = await servedMunicipalityIfAny();
	return startJobs(databaseUrl, db(), {
		portalUrl: `${origin}/`,
		// The portal's items (issue 27): where the back office has the key and knows the portal.
		// Residents sign for the portal's public origin (PORTAL_ORIGIN, else EXCHANGE_PORTAL_URL; in
		// the combined deployment ORIGIN), under RP_ID where it is a parent of its host, else that
		// host — whatever address the back office reaches the portal by.
		exchange:
			exchange.key && exchange.portalUrl && exchange.portalOrigin && (city || municipalityCode)
				? {
						portalUrl: exchange.portalUrl,
						signer: ed25519Signer(exchange.key),
						rp: residentRelyingParty(exchange.portalOrigin, rpId),
						municipalityCode: city?.municipality_code ?? municipalityCode!
					}
				: undefined,
		checkpoints: auditCheckpoint
			? {
					dir: auditCheckpoint.dir,
					signer: ed25519Signer(auditCheckpoint.key),
					intervalSeconds: auditCheckpoint.intervalSeconds
				}
			: undefined
	});
}

export function jobs(): Promise<JobRunner> {
	runner ??= start().catch((error: unknown) => {
		runner = undefined; // the next call tries again (e.g. the database was restarting)
		throw error;
	});
	return runner;
}

/** Stops the worker (its polling timers would keep a shutting-down process alive). */
export async function stopJobs(): Promise<void> {
	const started = runner;
	runner = undefined;
	const running = await started?.catch(() => undefined);
	await running?.stop();
}
