import { describe, expect, it } from 'vitest';
import {
	chainTime,
	canonicalEncoding,
	canonicalJson,
	entryHash,
	genesisHash,
	payloadHash,
	type ChainedFields
} from './chain';

const fields: ChainedFields = {
	municipalityCode: '139998',
	seq: '1',
	occurredAt: '2026-11-22T10:00:00.123000Z',
	actorType: 'staff',
	actorId: 'a',
	actorRole: 'caseworker',
	department: '健康増進課',
	ip: '127.0.0.1',
	userAgent: 'UA',
	sessionHash: null,
	requestId: 'r1',
	action: 'resident.view',
	subjectAtenaNumber: '000000000001',
	objectType: null,
	objectId: null,
	reason: null,
	result: 'ok',
	payloadHash: null
};

describe('audit chain encoding', () => {
	it('changes the hash when any single field changes', () => {
		const base = entryHash(genesisHash, fields).toString('hex');
		const variants: Partial<ChainedFields>[] = [
			{ municipalityCode: '139999' },
			{ seq: '2' },
			{ occurredAt: '2026-11-22T10:00:00.123001Z' },
			{ actorType: 'resident' },
			{ actorId: 'b' },
			{ actorRole: 'approver' },
			{ department: null },
			{ ip: '127.0.0.2' },
			{ userAgent: 'UA2' },
			{ sessionHash: 'x' },
			{ requestId: 'r2' },
			{ action: 'resident.search' },
			{ subjectAtenaNumber: '000000000002' },
			{ objectType: 'dose' },
			{ objectId: '1' },
			{ reason: '照会' },
			{ result: 'denied' },
			{ payloadHash: Buffer.alloc(32, 1) }
		];
		for (const variant of variants) {
			expect(entryHash(genesisHash, { ...fields, ...variant }).toString('hex')).not.toBe(base);
		}
		expect(entryHash(Buffer.alloc(32, 9), fields).toString('hex')).not.toBe(base);
	});

	it('writes time with microseconds', () => {
		expect(chainTime(new Date('2026-11-22T10:00:00.123Z'))).toBe('2026-11-22T10:00:00.123000Z');
	});

	it('does not confuse null with the string "null" or shift fields', () => {
		expect(canonicalEncoding({ ...fields, reason: 'null' })).not.toBe(canonicalEncoding(fields));
		expect(canonicalEncoding({ ...fields, ip: 'a","b' })).not.toBe(
			canonicalEncoding({ ...fields, ip: 'a', userAgent: 'b' })
		);
	});

	it('encodes payloads with sorted keys', () => {
		expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe(
			'{"a":{"c":null,"d":[1,"x"]},"b":1}'
		);
		expect(payloadHash({ a: 1, b: 2 })).toEqual(payloadHash({ b: 2, a: 1 }));
		expect(() => canonicalJson({ a: Number.NaN })).toThrow();
	});
});
