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

/** Why this purpose cannot be used, in the page's language; null when it can. */
export function purposeRefusal(purpose: string): string | null {
	if (!purpose) return m.record_purpose_required();
	if (findMyNumbers(purpose).length > 0) return m.record_purpose_my_number();
	return null;
}
