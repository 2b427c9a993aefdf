import { describe, expect, it } from 'vitest';
import { residentStatus, stages } from '../workflow/status';
import { isOpen, nextStatus, residentMay, TransitionError } from './status';

describe('application statuses', () => {
	it('follow draft → submitted, and returned → submitted again', () => {
		expect(nextStatus('draft', { by: 'resident', action: 'submit' })).toBe('submitted');
		expect(nextStatus('returned', { by: 'resident', action: 'resubmit' })).toBe('submitted');
	});

	it('are what the resident sees of every stage staff work in', () => {
		expect(stages.map(residentStatus)).toEqual([
			'draft',
			'submitted',
			'in_review',
			'in_review',
			'returned',
			'completed',
			'rejected',
			'withdrawn'
		]);
	});

	it('allow withdrawal from every open state and nothing after a decision', () => {
		for (const open of ['draft', 'submitted', 'in_review', 'returned'] as const) {
			expect(nextStatus(open, { by: 'resident', action: 'withdraw' })).toBe('withdrawn');
			expect(isOpen(open)).toBe(true);
		}
		for (const closed of ['completed', 'rejected', 'withdrawn'] as const) {
			expect(() => nextStatus(closed, { by: 'resident', action: 'withdraw' })).toThrow(
				TransitionError
			);
			expect(isOpen(closed)).toBe(false);
		}
	});

	it('refuse a second submission', () => {
		expect(() => nextStatus('submitted', { by: 'resident', action: 'submit' })).toThrow(
			/not possible/
		);
	});

	it('tell whether the resident may still sign a submission or a withdrawal', () => {
		expect(residentMay('draft', 'submit')).toBe(true);
		expect(residentMay('returned', 'submit')).toBe(true);
		for (const sent of ['submitted', 'in_review', 'completed', 'rejected', 'withdrawn'] as const)
			expect(residentMay(sent, 'submit')).toBe(false);
		for (const open of ['draft', 'submitted', 'in_review', 'returned'] as const)
			expect(residentMay(open, 'withdraw')).toBe(true);
		for (const closed of ['completed', 'rejected', 'withdrawn'] as const)
			expect(residentMay(closed, 'withdraw')).toBe(false);
	});
});
