import { describe, expect, it } from 'vitest';
import { isOpen, nextStatus, residentMay, TransitionError } from './status';

describe('application statuses', () => {
	it('follow draft → submitted → in review ⇄ returned → completed or rejected', () => {
		expect(nextStatus('draft', { by: 'resident', action: 'submit' })).toBe('submitted');
		expect(nextStatus('submitted', { by: 'staff', action: 'start_review' })).toBe('in_review');
		expect(nextStatus('in_review', { by: 'staff', action: 'return' }, '写真が不鮮明')).toBe(
			'returned'
		);
		expect(nextStatus('returned', { by: 'resident', action: 'resubmit' })).toBe('submitted');
		expect(nextStatus('in_review', { by: 'staff', action: 'complete' })).toBe('completed');
		expect(nextStatus('in_review', { by: 'staff', action: 'reject' }, '対象外')).toBe('rejected');
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

	it('refuse a second submission, a completion without review, and a return or rejection without a reason', () => {
		expect(() => nextStatus('submitted', { by: 'resident', action: 'submit' })).toThrow(
			/not possible/
		);
		expect(() => nextStatus('submitted', { by: 'staff', action: 'complete' })).toThrow(
			/not possible/
		);
		expect(() => nextStatus('in_review', { by: 'staff', action: 'return' }, ' ')).toThrow(/reason/);
		expect(() => nextStatus('in_review', { by: 'staff', action: 'reject' })).toThrow(/reason/);
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
