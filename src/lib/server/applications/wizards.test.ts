import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import { myNumberCheckDigit } from '../mynumber/check-digit';
import type { Person, PersonRecord } from '../residents/household';
import { certificate, passportName } from './certificate/wizard';
import { outsideRequest } from './outside-request/wizard';
import { reissue } from './reissue/wizard';
import { relief, reliefRoute, requiredDocuments } from './relief/wizard';
import type { WizardContext } from './wizard';

const child: Person = {
	ref: 'c'.repeat(22),
	atenaNumber: '2',
	relation: 'child',
	nameKanji: '山田 花子',
	nameKana: 'ヤマダ ハナコ',
	birthDate: '2024-01-01',
	sex: 'female'
};
const parent: Person = { ...child, ref: 'p'.repeat(22), atenaNumber: '1', relation: 'self' };

const record: PersonRecord = {
	history: [
		{
			id: '1',
			vaccineCode: 'mr',
			doseCode: 'period_1',
			vaccineName: 'MR',
			doseLabel: '1期',
			category: 'A',
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

function context(draft: Record<string, unknown> = {}): WizardContext {
	return {
		draft,
		household: [parent, child],
		person: draft.person === parent.ref ? parent : draft.person === child.ref ? child : null,
		record,
		registered: {
			postalCode: '100-0001',
			address: '本町1',
			nameRomaji: 'Yamada Hanako',
			residentType: 'japanese'
		},
		attachments: [],
		certificateFeeYen: 0,
		myNumberIntake: true,
		today: '2026-11-23'
	};
}

describe('予診票 reissue', () => {
	it('asks for each answer with a localized message, never a type error', () => {
		expect(reissue.parse('person', {}, context())).toEqual({
			ok: false,
			errors: { person: m.error_choose_person() }
		});
		expect(reissue.parse('person', { person: 'x'.repeat(22) }, context())).toEqual({
			ok: false,
			errors: { person: m.error_choose_person() }
		});
		expect(reissue.parse('dose', { dose: 'x; DROP' }, context())).toEqual({
			ok: false,
			errors: { dose: m.error_choose_dose() }
		});
		expect(reissue.parse('reason', { reason: 'other' }, context())).toEqual({
			ok: false,
			errors: { reason_detail: m.error_reason_detail_required() }
		});
		expect(
			reissue.parse('reason', { reason: 'lost', reason_detail: 'x'.repeat(201) }, context())
		).toEqual({ ok: false, errors: { reason_detail: m.error_too_long({ max: 200 }) } });
		expect(reissue.parse('delivery', { delivery: 'fax' }, context())).toEqual({
			ok: false,
			errors: { delivery: m.error_choose_delivery() }
		});
		expect(reissue.parse('reason', { reason: 'lost' }, context())).toEqual({
			ok: true,
			values: { reason: 'lost', reason_detail: '' }
		});
	});

	it('allows only doses not on record inside their window, and says which rule refused', () => {
		expect(reissue.parse('dose', { dose: 'varicella:dose_2' }, context()).ok).toBe(true);
		expect(reissue.parse('dose', { dose: 'mr:period_1' }, context())).toEqual({
			ok: false,
			errors: { dose: m.error_dose_already_recorded() }
		});
		expect(reissue.parse('dose', { dose: 'hpv:dose_1' }, context())).toEqual({
			ok: false,
			errors: { dose: m.error_dose_outside_window() }
		});
	});

	it('resumes at the first unanswered step', () => {
		expect(reissue.missing(context())).toBe('person');
		expect(reissue.missing(context({ person: 'p', dose: 'a:b' }))).toBe('reason');
		expect(
			reissue.missing(context({ person: 'p', dose: 'a:b', reason: 'lost', delivery: 'mail' }))
		).toBe('check');
	});

	it('signs the registered address only when posting', () => {
		const draft = { person: child.ref, dose: 'varicella:dose_2', reason: 'lost' };
		expect(reissue.payload(context({ ...draft, delivery: 'pickup' }), 'a').delivery_address).toBe(
			null
		);
		expect(reissue.payload(context({ ...draft, delivery: 'mail' }), 'a').delivery_address).toEqual({
			postal_code: '100-0001',
			address: '本町1'
		});
	});
});

describe('English certificate', () => {
	it('accepts passport names in Latin capitals (full-width typed too) and refuses others', () => {
		expect(passportName(' ｙａｍａｄａ　 hanako ')).toBe('YAMADA HANAKO');
		const parse = (passport_name: string, passport_number = '') =>
			certificate.parse(
				'passport',
				{ passport_name, passport_number, nationality: 'japan' },
				context()
			);
		expect(parse('yamada hanako')).toEqual({
			ok: true,
			values: { passport_name: 'YAMADA HANAKO', passport_number: '', nationality: 'JAPAN' }
		});
		expect(parse('SMITH-JONES ANNA', 'tk 1234567').ok).toBe(true);
		expect(parse('山田 花子')).toEqual({
			ok: false,
			errors: { passport_name: m.error_passport_name_format() }
		});
		expect(parse('YAMADA  -  ')).toEqual({
			ok: false,
			errors: { passport_name: m.error_passport_name_format() }
		});
		expect(parse('YAMADA', 'TK-12')).toEqual({
			ok: false,
			errors: { passport_number: m.error_passport_number_format() }
		});
	});

	it('offers only recorded doses, and needs handbook photos for doses the record lacks', () => {
		const choose = { doses_mode: 'choose' };
		expect(
			certificate.parse('doses', { ...choose, doses: ['mr:period_1:2025-05-01'] }, context()).ok
		).toBe(true);
		expect(
			certificate.parse('doses', { ...choose, doses: ['hpv:dose_1:2025-01-01'] }, context())
		).toEqual({
			ok: false,
			errors: { doses: m.error_choose_doses() }
		});
		expect(certificate.parse('doses', choose, context())).toEqual({
			ok: false,
			errors: { doses: m.error_choose_doses() }
		});
		expect(certificate.parse('evidence', {}, context({ doses: ['handbook'] }))).toEqual({
			ok: false,
			errors: { attachment: m.error_evidence_needed() }
		});
		expect(
			certificate.parse('evidence', {}, context({ doses: ['mr:period_1:2025-05-01'] })).ok
		).toBe(true);
	});

	it('takes 1 to 5 copies and charges the city fee per copy', () => {
		expect(certificate.parse('copies', { copies: '２' }, context())).toEqual({
			ok: true,
			values: { copies: 2 }
		});
		expect(certificate.parse('copies', { copies: '6' }, context()).ok).toBe(false);
		expect(certificate.parse('copies', { copies: '0' }, context()).ok).toBe(false);
		const draft = {
			person: child.ref,
			passport_name: 'YAMADA HANAKO',
			nationality: 'JAPAN',
			purpose: 'travel',
			doses: ['mr:period_1:2025-05-01', 'handbook'],
			copies: 3
		};
		const payload = certificate.payload({ ...context(draft), certificateFeeYen: 350 }, 'a');
		expect(payload.fee_yen).toBe(1050);
		expect(payload.doses).toEqual([
			{ vaccine_code: 'mr', dose_code: 'period_1', administered_on: '2025-05-01' }
		]);
		expect(payload.doses_from_handbook).toBe(true);
	});
});

describe('実施依頼書', () => {
	it('says the real limit of each place field (issue 24, low)', () => {
		const place = (place_municipality: string, place_institution = '') =>
			outsideRequest.parse('place', { place_municipality, place_institution }, context());
		expect(place('あ'.repeat(40)).ok).toBe(true);
		expect(place('あ'.repeat(41))).toEqual({
			ok: false,
			errors: { place_municipality: '40字以内で入力してください。' }
		});
		expect(place('横浜市', 'い'.repeat(81))).toEqual({
			ok: false,
			errors: { place_institution: '80字以内で入力してください。' }
		});
	});

	it('needs a period that starts today or later, ends after it and lasts at most a year', () => {
		const parse = (period_from: string, period_until: string) =>
			outsideRequest.parse('period', { period_from, period_until }, context());
		expect(parse('2026-12-01', '2027-02-01').ok).toBe(true);
		expect(parse('2026-11-01', '2027-02-01')).toEqual({
			ok: false,
			errors: { period_from: m.error_period_past() }
		});
		expect(parse('2026-12-01', '2026-11-30')).toEqual({
			ok: false,
			errors: { period_until: m.error_period_order() }
		});
		expect(parse('2026-12-01', '2028-01-01')).toEqual({
			ok: false,
			errors: { period_until: m.error_period_too_long() }
		});
		expect(parse('2027-02-31', '2027-03-01')).toEqual({
			ok: false,
			errors: { period_from: m.error_date_format() }
		});
	});
});

describe('健康被害救済', () => {
	const valid = (first11: string) => `${first11}${myNumberCheckDigit(first11)}`;

	it('sends voluntary vaccinations to PMDA and routine ones to the city', () => {
		expect(reliefRoute('voluntary')).toBe('pmda');
		expect(reliefRoute('routine_b')).toBe('city');
		expect(
			relief.parse(
				'checker',
				{ vaccination_type: 'voluntary', vaccinated_on: '2026-01-01' },
				context()
			)
		).toEqual({ ok: false, errors: { vaccination_type: m.relief_pmda() } });
		expect(
			relief.parse(
				'checker',
				{ vaccination_type: 'routine_a', vaccinated_on: '2027-01-01' },
				context()
			)
		).toEqual({ ok: false, errors: { vaccinated_on: m.error_date_future() } });
	});

	it('offers the benefits of the category and lists the documents each needs', () => {
		const b = context({ vaccination_type: 'routine_b' });
		expect(relief.parse('benefits', { benefits: ['child_disability_pension'] }, b).ok).toBe(false);
		expect(
			relief.parse('benefits', { benefits: ['medical_allowance', 'medical_expenses'] }, b)
		).toEqual({
			ok: true,
			values: { benefits: ['medical_expenses', 'medical_allowance'] }
		});
		expect(requiredDocuments(['medical_allowance'])).toEqual([
			'vaccination_proof',
			'medical_record',
			'bankbook'
		]);
		expect(requiredDocuments(['medical_expenses', 'disability_pension'])).toEqual([
			'vaccination_proof',
			'medical_record',
			'diagnosis',
			'receipts',
			'bankbook'
		]);
	});

	it('takes a 個人番号 only with a correct check digit and keeps it out of the draft', () => {
		const number = valid('12345678901');
		const wrong = `${number.slice(0, 11)}${(Number(number[11]) + 1) % 10}`;
		expect(relief.parse('my_number', { my_number: wrong }, context())).toEqual({
			ok: false,
			errors: { my_number: m.error_my_number_check_digit() }
		});
		expect(relief.parse('my_number', { my_number: '1234' }, context())).toEqual({
			ok: false,
			errors: { my_number: m.error_my_number_format() }
		});
		const parsed = relief.parse(
			'my_number',
			{ my_number: `${number.slice(0, 4)} ${number.slice(4)}` },
			context()
		);
		expect(parsed).toEqual({ ok: true, values: { my_number: 'provided' }, myNumber: number });
		const draft = {
			person: child.ref,
			vaccination_type: 'routine_a',
			vaccinated_on: '2026-01-01',
			benefits: ['medical_expenses'],
			vaccination: 'unrecorded',
			documents_seen: true,
			my_number: 'provided'
		};
		expect(relief.missing(context(draft))).toBe('account');
		const account = relief.parse(
			'account',
			{
				bank_code: '０００９',
				branch_code: '123',
				account_type: 'ordinary',
				account_number: '1234567',
				account_holder: 'やまだ ﾊﾅｺ'
			},
			context(draft)
		);
		// Full-width digits, hiragana and half-width kana are read as the bank prints them.
		expect(account).toEqual({
			ok: true,
			values: {
				bank_code: '0009',
				branch_code: '123',
				account_type: 'ordinary',
				account_number: '1234567',
				account_holder: 'ヤマダ　ハナコ'
			}
		});
		expect(
			relief.parse(
				'account',
				{ bank_code: '9', branch_code: '12', account_number: '12', account_holder: 'Yamada' },
				context(draft)
			)
		).toEqual({
			ok: false,
			errors: {
				bank_code: m.error_bank_code(),
				branch_code: m.error_branch_code(),
				account_type: m.error_account_type(),
				account_number: m.error_account_number(),
				account_holder: m.error_account_holder()
			}
		});
		Object.assign(draft, account.ok ? account.values : {});
		expect(relief.missing(context(draft))).toBe('check');
		const payload = JSON.stringify(relief.payload(context(draft), 'a'));
		expect(payload).not.toContain(number);
		expect(JSON.parse(payload).documents_missing).toEqual([
			'vaccination_proof',
			'medical_record',
			'receipts',
			'bankbook'
		]);
	});

	it('refuses the child pension for an adult claimant', () => {
		expect(
			relief.parse(
				'person',
				{ person: parent.ref },
				context({ benefits: ['child_disability_pension'] })
			)
		).toEqual({ ok: false, errors: { person: m.error_child_pension_adult() } });
		expect(
			relief.parse(
				'person',
				{ person: child.ref },
				context({ benefits: ['child_disability_pension'] })
			).ok
		).toBe(true);
	});
});

describe('the first step of each request', () => {
	// Each request asks its own question, on the step, on the check page and in the 差し戻し
	// checklist (issue 25, item 3); the person's relation sits in one pair of brackets.
	it('asks whose request it is in words that fit the request', () => {
		const titles = [reissue, certificate, outsideRequest].map(
			(wizard) => wizard.view('person', context()).title
		);
		expect(titles).toEqual([m.step_person(), m.step_certificate_person(), m.step_outside_person()]);
		expect(new Set(titles).size).toBe(3);
		expect(titles.slice(1).some((title) => title.includes('予診票'))).toBe(false);
		for (const wizard of [reissue, certificate, outsideRequest]) {
			const person = wizard
				.summary(context({ person: child.ref }))
				.find((row) => row.step === 'person');
			expect(person?.label).toBe(wizard.view('person', context()).title);
		}
	});

	it('labels a child without brackets inside brackets', () => {
		const field = reissue.view('person', context()).fields[0]!;
		const labels = field.type === 'radio' ? field.choices.map((choice) => choice.label) : [];
		expect(labels).toHaveLength(2);
		for (const label of labels) expect(label).toMatch(/^[^（）]*（[^（）]*）$/);
	});
});

describe('the doses of a certificate', () => {
	// Issue 25: 24 doses had to be ticked one by one.
	it('lists every recorded dose unless the resident chooses, with the handbook apart', () => {
		const view = certificate.view('doses', context({ person: child.ref }));
		const mode = view.fields.find((field) => field.name === 'doses_mode');
		expect(mode).toMatchObject({ type: 'radio', initial: 'all' });
		expect(certificate.parse('doses', { doses_mode: 'all' }, context())).toEqual({
			ok: true,
			values: { doses_mode: 'all', handbook: [], doses: ['mr:period_1:2025-05-01'] }
		});
		expect(
			certificate.parse('doses', { doses_mode: 'all', handbook: ['handbook'] }, context())
		).toMatchObject({ ok: true, values: { doses: ['mr:period_1:2025-05-01', 'handbook'] } });
		expect(
			certificate.parse('doses', { doses_mode: 'choose', handbook: ['handbook'] }, context())
		).toMatchObject({ ok: true, values: { doses: ['handbook'] } });
		const summary = certificate
			.summary(context({ person: child.ref, doses_mode: 'all', doses: ['mr:period_1:2025-05-01'] }))
			.find((row) => row.step === 'doses');
		expect(summary?.value).toBe(m.certificate_doses_all({ count: 1 }));
	});
});

describe('the passport name', () => {
	it('is suggested from the 振り仮名 in passport Hepburn when the registry has no romaji', () => {
		const withoutRomaji = (draft: Record<string, unknown>) => ({
			...context(draft),
			registered: { ...context(draft).registered!, nameRomaji: null }
		});
		const field = certificate
			.view('passport', withoutRomaji({ person: child.ref }))
			.fields.find((candidate) => candidate.name === 'passport_name');
		expect(field).toMatchObject({ initial: 'YAMADA HANAKO' });
	});
});
