import { describe, expect, it } from 'vitest';
import { m } from '$lib/paraglide/messages';
import { auditActions } from '../audit/actions';
import { accessActionLabel, accessActionLabels } from './access-actions';

describe("the resident's 閲覧履歴 labels", () => {
	// Everything the back office does to a person's records reads as what was done.
	it('names every action on a person’s records in its own words', () => {
		const aboutPeople = Object.keys(auditActions).filter((action) =>
			/^(resident|mynumber|vaccination|application|attachment|document|relief|desk|inquiry)\./.test(
				action
			)
		);
		expect(aboutPeople.length).toBeGreaterThan(40);
		for (const action of aboutPeople) {
			expect(accessActionLabel(action), action).not.toBe(m.access_action_other());
		}
		expect(Object.keys(accessActionLabels).sort()).toEqual(Object.keys(auditActions).sort());
		expect(accessActionLabel('no.such_action')).toBe(m.access_action_other());
	});
});
