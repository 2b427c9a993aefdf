// A message chosen by a key built at run time (a stage, a kind, a document code), falling back
// to the key itself so an unknown code is still shown rather than lost.
import { m } from '$lib/paraglide/messages';

const byKey = m as unknown as Record<string, (() => string) | undefined>;

export const messageFor = (key: string): string => byKey[key]?.() ?? key;
