import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable, isInvalidValue } from './availability';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
	it('recognises a server that is restarting, unreachable, full or out of connections', () => {
		for (const error of [
			withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
			withCode('terminating connection due to administrator command', '57P01'),
			withCode('the database system is starting up', '57P03'),
			withCode('sorry, too many clients already', '53300'),
			withCode('could not extend file "base/16384/16385": No space left on device', '53100'),
			withCode('connection failure', '08006'),
			new Error('Connection terminated unexpectedly'),
			new Error('timeout exceeded when trying to connect'),
			new Error('Client has encountered a connection error and is not queryable'),
			new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
			new Error('load failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') })
		]) {
			expect(isDatabaseUnavailable(error), error.message).toBe(true);
		}
	});

	it('treats a bug as a bug', () => {
		for (const error of [
			withCode('duplicate key value violates unique constraint "x"', '23505'),
			withCode('column "nope" does not exist', '42703'),
			withCode('canceling statement due to statement timeout', '57014'),
			new TypeError("Cannot read properties of undefined (reading 'id')"),
			new Error('no result')
		]) {
			expect(isDatabaseUnavailable(error), error.message).toBe(false);
		}
		expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
		expect(isDatabaseUnavailable(undefined)).toBe(false);
	});
});

describe('isInvalidValue', () => {
	it('recognises a value PostgreSQL cannot store, and nothing else', () => {
		expect(
			isInvalidValue(withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021'))
		).toBe(true);
		expect(isInvalidValue(withCode('date/time field value out of range', '22008'))).toBe(true);
		expect(isInvalidValue(withCode('duplicate key value', '23505'))).toBe(false);
		expect(isInvalidValue(withCode('connection failure', '08006'))).toBe(false);
		expect(isInvalidValue(new Error('22021'))).toBe(false);
	});
});
