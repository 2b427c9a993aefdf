import { describe, expect, it } from 'vitest';
import { requiredRealm } from './session';

describe('requiredRealm', () => {
	it('guards signed-in resident pages and every staff page but sign-in', () => {
		expect(requiredRealm('/(portal)/(signed-in)/home', '/home')).toBe('resident');
		expect(requiredRealm('/(portal)/sign-in', '/sign-in')).toBeNull();
		expect(requiredRealm('/(portal)/enrol', '/enrol')).toBeNull();
		expect(requiredRealm('/staff', '/staff')).toBe('staff');
		expect(requiredRealm('/staff/admin/users', '/staff/admin/users')).toBe('staff');
		expect(requiredRealm('/staff/sign-in', '/staff/sign-in')).toBeNull();
		expect(requiredRealm('/staff/register/[token]', '/staff/register/x')).toBeNull();
		expect(requiredRealm('/staff/auth/sign-in/options', '/staff/auth/sign-in/options')).toBeNull();
		// An unknown path under /staff is guarded too (no probing without a session).
		expect(requiredRealm(null, '/staff/anything')).toBe('staff');
		expect(requiredRealm('/staff/sign-inx', '/staff/sign-inx')).toBe('staff');
	});
});
