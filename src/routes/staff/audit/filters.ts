// The auditor's search form, read the same way by the screen and the CSV export.
export function auditFilterFields(form: FormData): Record<string, string> {
	return Object.fromEntries(
		['atena', 'actor', 'action', 'result', 'from', 'until'].map((key) => [
			key,
			String(form.get(key) ?? '').slice(0, 64)
		])
	);
}
