// Names of relief stages, actions and documents for staff and residents alike.
import { messageFor } from '$lib/messages';

// An unknown code is shown as it is rather than as the whole message key.
const lookup = (prefix: string) => (code: string) => {
	const text = messageFor(`${prefix}${code}`);
	return text === `${prefix}${code}` ? code : text;
};

export const reliefStageText = lookup('relief_stage_');
export const reliefActionText = lookup('relief_action_');
export const reliefDocumentText = lookup('relief_doc_');
export const reliefCategoryText = lookup('relief_category_');
export const reliefPaymentStatusText = lookup('relief_payment_status_');
