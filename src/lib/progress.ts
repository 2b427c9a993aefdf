// What the pages that follow a background job share: the time left in words, and reloading the
// page's data while the job runs (without JavaScript a plain reload does the same).
import { invalidateAll } from '$app/navigation';
import { m } from '$lib/paraglide/messages';

export function formatEta(seconds: number | null): string {
	if (seconds === null) return '';
	return seconds < 60
		? m.mailing_eta_seconds({ seconds })
		: m.mailing_eta_minutes({ minutes: Math.ceil(seconds / 60) });
}

/** For onMount: reloads the page's data every `ms` while `running()`; returns the cleanup. */
export function refreshWhile(running: () => boolean, ms: number): () => void {
	const timer = setInterval(() => {
		if (running()) invalidateAll();
	}, ms);
	return () => clearInterval(timer);
}
