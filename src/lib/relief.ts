// Names of relief stages, actions and documents for staff and residents alike.
import { m } from '$lib/paraglide/messages';

const lookup = (prefix: string) => (code: string) => {
	const message = (m as unknown as Record<string, (() => string) | undefined>)[`${prefix}${code}`];
	return message ? message() : code;
};

export const reliefStageText = lookup('relief_stage_');
export const reliefActionText = lookup('relief_action_');
export const reliefDocumentText = lookup('relief_doc_');
export const reliefCategoryText = lookup('relief_category_');
export const reliefPaymentStatusText = lookup('relief_payment_status_');
