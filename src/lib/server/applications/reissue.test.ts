import { describe, expect, it } from 'vitest';
import { doseRefusal, nextMissingStep, parseStep, reissuePayload } from './reissue';
import type { PersonRecord } from '../residents/household';

const record: PersonRecord = {
	history: [
		{
			vaccineCode: 'mr',
			doseCode: 'period_1',
			vaccineName: 'MR',
			doseLabel: '1期',
			administeredOn: '2025-05-01',
			institution: null,
			pendingCheck: false
		}
	],
	due: [
		{
			vaccineCode: 'varicella',
			doseCode: 'dose_2',
			status: 'due',
			from: '2025-01-01',
			until: '2027-01-01',
			vaccineName: '水痘',
			doseLabel: '2回目'
		}
	]
};

describe('reissue wizard rules', () => {
	it('asks for each answer with a message key, never a type error', () => {
		expect(parseStep('person', {})).toEqual({ ok: false, errors: { person: 'choose_person' } });
		expect(parseStep('dose', { dose: 'x; DROP' })).toEqual({
			ok: false,
			errors: { dose: 'choose_dose' }
		});
		expect(parseStep('reason', { reason: 'other' })).toEqual({
			ok: false,
			errors: { reason_detail: 'reason_detail_required' }
		});
		expect(parseStep('reason', { reason: 'lost', reason_detail: 'x'.repeat(201) })).toEqual({
			ok: false,
			errors: { reason_detail: 'too_long' }
		});
		expect(parseStep('delivery', { delivery: 'fax' })).toEqual({
			ok: false,
			errors: { delivery: 'choose_delivery' }
		});
		expect(parseStep('reason', { reason: 'lost' })).toEqual({
			ok: true,
			values: { reason: 'lost', reason_detail: '' }
		});
	});

	it('allows only doses not on record inside their window, and says which rule refused', () => {
		expect(doseRefusal(record, 'varicella:dose_2')).toBeNull();
		expect(doseRefusal(record, 'mr:period_1')).toBe('dose_already_recorded');
		expect(doseRefusal(record, 'hpv:dose_1')).toBe('dose_outside_window');
	});

	it('resumes at the first unanswered step', () => {
		expect(nextMissingStep({})).toBe('person');
		expect(nextMissingStep({ person: 'p', dose: 'a:b' })).toBe('reason');
		expect(nextMissingStep({ person: 'p', dose: 'a:b', reason: 'lost', delivery: 'mail' })).toBe(
			'check'
		);
	});

	it('signs the registered address only when posting', () => {
		const person = {
			ref: 'r',
			atenaNumber: '1',
			relation: 'child' as const,
			nameKanji: '子',
			nameKana: 'コ',
			birthDate: '2024-01-01',
			sex: 'female' as const
		};
		const address = { postalCode: '100-0001', address: '本町1' };
		const draft = {
			dose: 'varicella:dose_2',
			reason: 'lost' as const,
			delivery: 'pickup' as const
		};
		expect(
			reissuePayload({ applicationId: 'a', person, address, draft }).delivery_address
		).toBeNull();
		expect(
			reissuePayload({ applicationId: 'a', person, address, draft: { ...draft, delivery: 'mail' } })
				.delivery_address
		).toEqual({ postal_code: '100-0001', address: '本町1' });
	});
});
