// The purpose (処理事由) a staff member gives before opening a record is written into every audit
// entry of the visit, and an audit entry may never hold a 個人番号. So a purpose is checked when it
// is typed: a refused purpose comes back to the form with the reason and is never kept (issue 25,
// item 7: kept in a cookie, it refused every later visit to the case for 30 minutes).
import { m } from '$lib/paraglide/messages';
import { findMyNumbers } from '../mynumber/check-digit';

/** The purpose as typed (trimmed, at most 200 characters). */
export const purposeOf = (value: FormDataEntryValue | null) =>
	String(value ?? '')
		.trim()
		.slice(0, 200);

export type PurposeRefusal = 'purpose_required' | 'purpose_my_number';

/** Why this purpose cannot be used (each domain's error says it in its own map); null when it can. */
export function purposeRefusal(purpose: string): PurposeRefusal | null {
	if (!purpose) return 'purpose_required';
	if (findMyNumbers(purpose).length > 0) return 'purpose_my_number';
	return null;
}

/** The words of each refusal, for the message maps of the domains that ask for a purpose. */
export const purposeMessages = {
	purpose_required: m.record_purpose_required,
	purpose_my_number: m.record_purpose_my_number
} satisfies Record<PurposeRefusal, () => string>;
