// A signed act on its way to the city (issue 27): the portal has sent it and the back office
// takes it in, usually within a second. The page asks the server again each second for a minute,
// so what it says moves from "sent" to what the city did, without the person reloading.
import { invalidateAll } from '$app/navigation';

/** Starts asking again; returns the stop (an $effect's cleanup). `onGiveUp` after a minute. */
export function followSent(onGiveUp: () => void = () => {}): () => void {
	let stopped = false;
	void (async () => {
		for (let attempt = 0; attempt < 60 && !stopped; attempt++) {
			await new Promise((resolve) => setTimeout(resolve, 1000));
			if (stopped) return;
			await invalidateAll();
		}
		if (!stopped) onGiveUp();
	})();
	return () => {
		stopped = true;
	};
}
