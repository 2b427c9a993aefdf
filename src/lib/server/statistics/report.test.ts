import { describe, expect, it } from 'vitest';
import { suppressRow } from './report';

describe('suppressRow', () => {
	it('keeps counts at or above the threshold and zeros', () => {
		expect(suppressRow([0, 5, 12], 5)).toEqual({ cells: [0, 5, 12], total: 17 });
	});
	it('hides a second cell when one hidden cell could be worked out from the total', () => {
		expect(suppressRow([2, 30, 7], 5)).toEqual({ cells: [null, 30, null], total: 39 });
	});
	it('hides the total when no other cell can cover the hidden one', () => {
		expect(suppressRow([3, 0, 0], 5)).toEqual({ cells: [null, 0, 0], total: null });
	});
	it('leaves two hidden cells as they are, and hides a small total', () => {
		expect(suppressRow([1, 2, 0], 5)).toEqual({ cells: [null, null, 0], total: null });
		expect(suppressRow([1, 4, 9], 5)).toEqual({ cells: [null, null, 9], total: 14 });
	});
});
