import { describe, expect, it } from 'vitest';
import { clamdAddress, parseVerdict } from './antivirus';

describe('clamd replies and addresses', () => {
	it('reads a clean verdict, a finding, and nothing else as a verdict', () => {
		expect(parseVerdict('stream: OK')).toEqual({ infected: false });
		expect(parseVerdict('stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({
			infected: true,
			signature: 'Win.Test.EICAR_HDB-1'
		});
		for (const reply of ['INSTREAM size limit exceeded. ERROR', 'stream: OK extra', '', 'PONG']) {
			expect(parseVerdict(reply)).toBeNull();
		}
	});

	it('takes a Unix socket path or tcp://host:port', () => {
		expect(clamdAddress('/run/clamav/clamd.ctl')).toEqual({ path: '/run/clamav/clamd.ctl' });
		expect(clamdAddress('tcp://clamav.internal:3310')).toEqual({
			host: 'clamav.internal',
			port: 3310
		});
	});
});
