// The exchange's endpoints as the routes call them: the portal zone's database and the public
// keys from configuration. A portal without EXCHANGE_PUBLIC_KEY answers 404: nothing to pull.
import { config } from '../config';
import { parsePublicKeys, type PublicKeys } from '../crypto/ed25519';
import { portalZoneDb } from '../db';
import { answerExchange, type ExchangeEndpoint } from '../exchange/portal';

let keys: PublicKeys | undefined;

export function exchangeEndpoint(endpoint: ExchangeEndpoint, request: Request): Promise<Response> {
	const { publicKeys } = config().exchange;
	if (!publicKeys || !config().portalZoneDatabaseUrl)
		return Promise.resolve(new Response(null, { status: 404 }));
	keys ??= parsePublicKeys(publicKeys);
	return answerExchange(portalZoneDb(), keys, endpoint, request);
}
