// An independent check of a SMART Health Card against the specification
// (https://spec.smarthealth.cards) and its vaccination IG, written for the tests from the spec and
// sharing nothing with the issuing code (src/lib/server/documents/health-card.ts): the numeric QR
// payload decoded by hand, the JWS verified with node:crypto against the published JWKS, the
// kid checked as the key's RFC 7638 thumbprint, and the bundle read element by element. No
// maintained validator of the spec is published on npm (the reference validator is a Node tool
// that is not on the registry), so this is the only one here.
import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';

/** Version 22, error correction L, numeric mode: the spec's limit for one QR. */
export const maxSingleQrJws = 1195;
const standardSystems = [
	'http://hl7.org/fhir/sid/cvx',
	'http://snomed.info/sct',
	'http://id.who.int/icd/release/11/mms'
];

// A FHIR resource as read from the card: any of its elements may be missing or wrong.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- checked element by element below
type Resource = Record<string, any>;

type Jwk = JsonWebKey & { kid?: string; kty?: string; crv?: string; x?: string; y?: string };

export function numericToJws(qr: string): string {
	const match = /^shc:\/((?:[0-9]{2})+)$/.exec(qr);
	if (!match) throw new Error('not a single-chunk shc:/ payload');
	return match[1]!.replace(/[0-9]{2}/g, (pair) => String.fromCharCode(Number(pair) + 45));
}

function thumbprint(jwk: Jwk): string {
	const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
	return createHash('sha256').update(canonical).digest('base64url');
}

export type CardReport = {
	problems: string[];
	jwsLength: number;
	payload: {
		iss: string;
		vc: { type: string[]; credentialSubject: { fhirBundle: { entry: { resource: Resource }[] } } };
	};
};

/** Every way the card departs from the spec; an empty list when it conforms. */
export function checkHealthCard(qr: string, jwks: { keys: Jwk[] }, issuer: string): CardReport {
	const problems: string[] = [];
	const jws = numericToJws(qr);
	if (jws.length > maxSingleQrJws) problems.push(`JWS of ${jws.length} characters (> 1195)`);
	const [headerPart, payloadPart, signaturePart] = jws.split('.');
	const header = JSON.parse(Buffer.from(headerPart!, 'base64url').toString('utf8'));
	if (header.alg !== 'ES256') problems.push('alg is not ES256');
	if (header.zip !== 'DEF') problems.push('zip is not DEF');
	const key = jwks.keys.find((candidate) => candidate.kid === header.kid);
	if (!key) problems.push('kid not in the JWKS');
	else {
		if (thumbprint(key) !== header.kid) problems.push('kid is not the key thumbprint');
		const signed = verify(
			'sha256',
			Buffer.from(`${headerPart}.${payloadPart}`),
			{ key: createPublicKey({ key, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
			Buffer.from(signaturePart!, 'base64url')
		);
		if (!signed) problems.push('signature does not verify');
	}
	const payload = JSON.parse(inflateRawSync(Buffer.from(payloadPart!, 'base64url')).toString());
	if (payload.iss !== issuer) problems.push('iss is not the issuer');
	if (!Number.isInteger(payload.nbf)) problems.push('nbf missing');
	const types: string[] = payload.vc?.type ?? [];
	if (!types.includes('https://smarthealth.cards#health-card'))
		problems.push('no health-card type');
	if (types.includes('https://smarthealth.cards#immunization'))
		problems.push('deprecated #immunization type');
	const subject = payload.vc?.credentialSubject;
	if (subject?.fhirVersion !== '4.0.1') problems.push('fhirVersion is not 4.0.1');
	const entries: { fullUrl: string; resource: Resource }[] = subject?.fhirBundle?.entry ?? [];
	if (subject?.fhirBundle?.resourceType !== 'Bundle' || subject.fhirBundle.type !== 'collection')
		problems.push('not a collection Bundle');
	entries.forEach((entry, index) => {
		const where = `entry ${index}`;
		if (entry.fullUrl !== `resource:${index}`)
			problems.push(`${where}: fullUrl not resource:${index}`);
		const resource = entry.resource ?? {};
		for (const forbidden of ['id', 'meta', 'text'])
			if (forbidden in resource) problems.push(`${where}: has ${forbidden}`);
		if (resource.resourceType === 'Patient') {
			if (index !== 0) problems.push(`${where}: Patient not first`);
			if (!resource.name?.[0]?.family) problems.push(`${where}: no family name`);
			if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(resource.birthDate ?? ''))
				problems.push(`${where}: no birthDate`);
			return;
		}
		if (resource.resourceType !== 'Immunization') {
			problems.push(`${where}: unexpected ${resource.resourceType}`);
			return;
		}
		if (resource.status !== 'completed') problems.push(`${where}: status not completed`);
		const codings: { system?: string; code?: string }[] = resource.vaccineCode?.coding ?? [];
		if (!codings.some((coding) => standardSystems.includes(coding.system ?? '') && coding.code))
			problems.push(`${where}: vaccineCode has no CVX, SNOMED CT or ICD-11 code`);
		if (resource.patient?.reference !== 'resource:0') problems.push(`${where}: patient reference`);
		if (!/^\d{4}-\d{2}-\d{2}/.test(resource.occurrenceDateTime ?? ''))
			problems.push(`${where}: no occurrenceDateTime`);
		for (const performer of resource.performer ?? [])
			if (!performer.actor?.display) problems.push(`${where}: performer without display`);
	});
	return { problems, jwsLength: jws.length, payload };
}
