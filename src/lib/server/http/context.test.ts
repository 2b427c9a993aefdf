import { describe, expect, it } from 'vitest';
import { auditContextFor } from './context';

describe('auditContextFor', () => {
	it('takes address and user agent from the real request and hashes the session id', () => {
		const request = new Request('http://localhost/staff', {
			headers: { 'user-agent': 'Mozilla/5.0 Test' }
		});
		const context = auditContextFor(request, '192.0.2.7', 'session-secret');
		expect(context.ip).toBe('192.0.2.7');
		expect(context.userAgent).toBe('Mozilla/5.0 Test');
		expect(context.sessionHash).toMatch(/^[0-9a-f]{64}$/);
		expect(JSON.stringify(context)).not.toContain('session-secret');
		expect(context.requestId).not.toBe(auditContextFor(request, null, null).requestId);
	});

	it('caps an oversized user agent', () => {
		const request = new Request('http://localhost/', {
			headers: { 'user-agent': 'x'.repeat(5000) }
		});
		expect(auditContextFor(request, null, null).userAgent).toHaveLength(512);
	});
});
