// The four requests a resident can make, by the kind stored on the application and by the
// word used in URLs (/apply/reissue …).
import { certificate } from './certificate';
import { outsideRequest } from './outside-request';
import { reissue } from './reissue';
import { relief } from './relief';
import type { Wizard } from './wizard';

export const wizards: Record<string, Wizard> = {
	reissue,
	certificate,
	relief,
	outside_request: outsideRequest
};

export const kindSlugs = {
	reissue: 'reissue',
	certificate: 'certificate',
	relief: 'relief',
	'outside-request': 'outside_request'
} as const;

export function wizardFor(kind: string): Wizard | null {
	return Object.hasOwn(wizards, kind) ? wizards[kind]! : null;
}
