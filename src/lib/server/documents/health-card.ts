// SMART Health Cards (https://spec.smarthealth.cards): a FHIR R4 Bundle of the holder (Patient)
// and the doses (Immunization) in a JWS signed ES256 by the municipality, its payload DEFLATEd,
// carried in a QR code as "shc:/" followed by digits. Anyone can check it against the keys
// published at <issuer>/.well-known/jwks.json.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
	compactVerify,
	CompactSign,
	createLocalJWKSet,
	decodeProtectedHeader,
	type JWK
} from 'jose';
import type { SigningKey } from './signing-keys';

export type CardHolder = { familyName: string; givenName: string; birthDate: string };
export type CardDose = {
	vaccineCode: string;
	/** English name shown by readers; the city's catalogue code stays in the coding. */
	display: string;
	administeredOn: string;
	lotNumber: string | null;
	performer: string | null;
};

/** The catalogue's code system, under the issuer (Japanese routine vaccines have no CVX code). */
export const vaccineSystem = (issuer: string) => `${issuer}/fhir/CodeSystem/vaccine`;

export function fhirBundle(issuer: string, holder: CardHolder, doses: CardDose[]) {
	// SMART Health Cards keep the bundle minimal: resource:N references, no ids, no narrative.
	return {
		resourceType: 'Bundle',
		type: 'collection',
		entry: [
			{
				fullUrl: 'resource:0',
				resource: {
					resourceType: 'Patient',
					name: [{ family: holder.familyName, given: [holder.givenName] }],
					birthDate: holder.birthDate
				}
			},
			...doses.map((dose, index) => ({
				fullUrl: `resource:${index + 1}`,
				resource: {
					resourceType: 'Immunization',
					status: 'completed',
					vaccineCode: {
						coding: [{ system: vaccineSystem(issuer), code: dose.vaccineCode }],
						text: dose.display
					},
					patient: { reference: 'resource:0' },
					occurrenceDateTime: dose.administeredOn,
					...(dose.performer ? { performer: [{ actor: { display: dose.performer } }] } : {}),
					...(dose.lotNumber ? { lotNumber: dose.lotNumber } : {})
				}
			}))
		]
	};
}

export async function signHealthCard(input: {
	issuer: string;
	issuedAt: Date;
	bundle: ReturnType<typeof fhirBundle>;
	key: SigningKey;
}): Promise<string> {
	const payload = {
		iss: input.issuer,
		nbf: Math.floor(input.issuedAt.getTime() / 1000),
		vc: {
			type: ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization'],
			credentialSubject: { fhirVersion: '4.0.1', fhirBundle: input.bundle }
		}
	};
	const deflated = deflateRawSync(Buffer.from(JSON.stringify(payload)));
	return new CompactSign(deflated)
		.setProtectedHeader({ alg: 'ES256', zip: 'DEF', kid: input.key.kid })
		.sign(input.key.privateKey);
}

/** "shc:/" + two digits per character (code − 45), as the QR's numeric segment. */
export function numericHealthCard(jws: string): string {
	let digits = '';
	for (const character of jws) {
		digits += String(character.charCodeAt(0) - 45).padStart(2, '0');
	}
	return `shc:/${digits}`;
}

export function jwsOfNumeric(card: string): string {
	const digits = card.replace(/^shc:\//, '');
	if (!/^(\d\d)+$/.test(digits)) throw new Error('not a SMART Health Card QR payload');
	let jws = '';
	for (let index = 0; index < digits.length; index += 2) {
		jws += String.fromCharCode(Number(digits.slice(index, index + 2)) + 45);
	}
	return jws;
}

/** Checks the signature against a JWKS and returns the card's content; throws when it fails. */
export async function verifyHealthCard(jws: string, jwks: { keys: JWK[] }) {
	const header = decodeProtectedHeader(jws);
	if (header.alg !== 'ES256' || header.zip !== 'DEF') throw new Error('not a SMART Health Card');
	const { payload } = await compactVerify(jws, createLocalJWKSet(jwks), {
		algorithms: ['ES256']
	});
	return JSON.parse(inflateRawSync(payload).toString('utf8')) as {
		iss: string;
		nbf: number;
		vc: {
			type: string[];
			credentialSubject: { fhirVersion: string; fhirBundle: ReturnType<typeof fhirBundle> };
		};
	};
}
