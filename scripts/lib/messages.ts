// Messages for command-line tools, in the language the operator asked for (the app itself picks
// the locale per request; a CLI has no request).
import { m } from '../../src/lib/paraglide/messages.js';

type Message = (inputs?: object, options?: { locale?: 'ja' | 'en' }) => string;
const byKey = m as unknown as Record<string, Message | undefined>;

export function messageFor(key: string, locale: 'ja' | 'en'): string {
	return byKey[key]?.({}, { locale }) ?? key;
}
