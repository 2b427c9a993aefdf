// SMART Health Cards (https://spec.smarthealth.cards): a FHIR R4 Bundle of the holder (Patient)
// and the doses (Immunization, coded in CVX) in a JWS signed ES256 by the municipality, its
// payload DEFLATEd, carried in one QR code (version 22 at most) as "shc:/" followed by digits. A
// history too long for one QR is issued as several cards. Anyone can check them against the keys
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
	/** A standard code: CVX, or SNOMED CT where CVX has none (SMART Health Cards' vaccination IG). */
	coding: { system: string; code: string };
	/** The dose's number in its series, when the schedule numbers it. */
	doseNumber: number | null;
	administeredOn: string;
	lotNumber: string | null;
	performer: string | null;
};

export const cvxSystem = 'http://hl7.org/fhir/sid/cvx';
export const snomedSystem = 'http://snomed.info/sct';

/** The standard coding of a catalogue vaccine; null when it has none (then it cannot be carried). */
export function standardCoding(vaccine: { cvx_code: string | null; snomed_code: string | null }) {
	if (vaccine.cvx_code) return { system: cvxSystem, code: vaccine.cvx_code };
	if (vaccine.snomed_code) return { system: snomedSystem, code: vaccine.snomed_code };
	return null;
}

/**
 * The card's FHIR Bundle, kept to what verifiers need (the vaccination IG's data-minimisation
 * profile): resource:N references, no ids, no narrative, no free text. The dose number goes in
 * protocolApplied (from the fallback profile), since a series is read by its numbers.
 */
export function fhirBundle(holder: CardHolder, doses: CardDose[]) {
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
					vaccineCode: { coding: [dose.coding] },
					patient: { reference: 'resource:0' },
					occurrenceDateTime: dose.administeredOn,
					...(dose.performer ? { performer: [{ actor: { display: dose.performer } }] } : {}),
					...(dose.lotNumber ? { lotNumber: dose.lotNumber } : {}),
					...(dose.doseNumber
						? { protocolApplied: [{ doseNumberPositiveInt: dose.doseNumber }] }
						: {})
				}
			}))
		]
	};
}

function cardPayload(issuer: string, issuedAt: Date, bundle: ReturnType<typeof fhirBundle>) {
	return {
		iss: issuer,
		nbf: Math.floor(issuedAt.getTime() / 1000),
		vc: {
			// The "#immunization" type is deprecated; the bundle's resources say what it holds.
			type: ['https://smarthealth.cards#health-card'],
			credentialSubject: { fhirVersion: '4.0.1', fhirBundle: bundle }
		}
	};
}

export async function signHealthCard(input: {
	issuer: string;
	issuedAt: Date;
	bundle: ReturnType<typeof fhirBundle>;
	key: SigningKey;
}): Promise<string> {
	const deflated = deflateRawSync(
		Buffer.from(JSON.stringify(cardPayload(input.issuer, input.issuedAt, input.bundle)))
	);
	return new CompactSign(deflated)
		.setProtectedHeader({ alg: 'ES256', zip: 'DEF', kid: input.key.kid })
		.sign(input.key.privateKey);
}

/**
 * The longest JWS one QR may carry: version 22 at error correction L holds 1,195 characters in
 * the spec's numeric encoding. Chunking one JWS over several QRs is deprecated, so a history that
 * does not fit is issued as several cards instead.
 */
export const maxJwsLength = 1195;

/** The JWS length a payload gives, without signing (ES256 signatures are 64 bytes, 86 base64url). */
function jwsLength(
	issuer: string,
	issuedAt: Date,
	holder: CardHolder,
	doses: CardDose[],
	kid: string
) {
	const header = Buffer.from(JSON.stringify({ alg: 'ES256', zip: 'DEF', kid })).toString(
		'base64url'
	);
	const body = deflateRawSync(
		Buffer.from(JSON.stringify(cardPayload(issuer, issuedAt, fhirBundle(holder, doses))))
	);
	return header.length + 1 + Math.ceil((body.length * 4) / 3) + 1 + 86;
}

export type GroupedDose = CardDose & { group: string };

/**
 * Splits the doses into as few cards as fit one QR each, keeping a vaccine's doses together
 * where they fit (a card says which vaccines it covers), then signs them.
 */
export async function issueHealthCards(input: {
	issuer: string;
	issuedAt: Date;
	holder: CardHolder;
	doses: GroupedDose[];
	key: SigningKey;
}): Promise<{ jws: string; groups: string[] }[]> {
	const fits = (doses: CardDose[]) =>
		jwsLength(input.issuer, input.issuedAt, input.holder, doses, input.key.kid) <= maxJwsLength;
	const groups: GroupedDose[][] = [];
	for (const dose of input.doses) {
		const last = groups.at(-1);
		if (last && last[0]!.group === dose.group) last.push(dose);
		else groups.push([dose]);
	}
	const cards: GroupedDose[][] = [];
	let current: GroupedDose[] = [];
	for (const group of groups) {
		if (fits([...current, ...group])) {
			current.push(...group);
			continue;
		}
		if (current.length) cards.push(current);
		current = [];
		// A vaccine whose doses alone do not fit one card is split dose by dose.
		for (const dose of group) {
			if (current.length && !fits([...current, dose])) {
				cards.push(current);
				current = [];
			}
			current.push(dose);
		}
	}
	if (current.length || cards.length === 0) cards.push(current);
	return Promise.all(
		cards.map(async (doses) => ({
			jws: await signHealthCard({
				issuer: input.issuer,
				issuedAt: input.issuedAt,
				bundle: fhirBundle(input.holder, doses),
				key: input.key
			}),
			groups: [...new Set(doses.map((dose) => dose.group))]
		}))
	);
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
