import { describe, expect, it } from 'vitest';
import { isServed, realmOf } from './realm';

describe('realms', () => {
	it('classifies routes by their id', () => {
		expect(realmOf('/staff', '/staff')).toBe('staff');
		expect(realmOf('/staff/queues/[id]', '/staff/queues/1')).toBe('staff');
		expect(realmOf('/(portal)', '/')).toBe('resident');
		expect(realmOf('/(portal)/applications', '/applications')).toBe('resident');
		expect(realmOf('/healthz', '/healthz')).toBe('public');
		expect(realmOf('/staffing', '/staffing')).toBe('public');
		// An unmatched path under /staff is still the staff realm (so it is hidden in portal mode).
		expect(realmOf(null, '/staff/unknown')).toBe('staff');
	});

	it('serves each realm only where the deployment role allows it', () => {
		expect(isServed('staff', 'portal')).toBe(false);
		expect(isServed('resident', 'backoffice')).toBe(false);
		expect(isServed('staff', 'backoffice')).toBe(true);
		expect(isServed('resident', 'portal')).toBe(true);
		expect(isServed('public', 'portal')).toBe(true);
		expect(isServed('staff', 'all') && isServed('resident', 'all')).toBe(true);
	});
});
