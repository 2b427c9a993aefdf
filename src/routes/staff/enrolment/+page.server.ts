import { recordAudit } from '$lib/server/audit/record';
import { staffActor } from '$lib/server/auth/http';
import { db } from '$lib/server/db';
import { searchResidents } from '$lib/server/residents/search';
import { requirePermission } from '$lib/server/staff/permissions';
import type { Actions, PageServerLoad } from './$types';
import { formOf } from '$lib/server/http/form';

export const load: PageServerLoad = ({ locals }) => {
	requirePermission(locals, 'identity.proof');
	return {};
};

// Search by 宛名番号, or by name (prefix, any script or width) with the birth date — never by
// name alone. A POST, so names and birth dates never sit in a URL (history, proxies, logs).
export const actions: Actions = {
	default: async ({ locals, request }) => {
		const staff = requirePermission(locals, 'identity.proof');
		const form = await formOf(request);
		const atena = String(form.get('atena') ?? '')
			.trim()
			.slice(0, 15);
		const kana = String(form.get('kana') ?? '')
			.trim()
			.slice(0, 40);
		const birthDate = String(form.get('birth_date') ?? '')
			.trim()
			.slice(0, 10);
		const criteria = { atena, kana, birthDate };
		if (!atena && !(kana && /^\d{4}-\d{2}-\d{2}$/.test(birthDate))) {
			return { criteria, searched: false, results: [] };
		}
		const results = (
			await searchResidents(
				db(),
				staff.municipalityCode,
				{
					atena: /^[0-9]{1,15}$/.test(atena) ? atena : atena ? '0' : '',
					name: atena ? '' : kana,
					birthDate: atena ? '' : birthDate,
					address: ''
				},
				20
			)
		).map((row) => ({
			atena_number: row.atenaNumber,
			name_kanji: row.nameKanji,
			name_kana: row.nameKana,
			birth_date: row.birthDate,
			status: row.status
		}));
		await recordAudit(db(), {
			municipalityCode: staff.municipalityCode,
			actor: staffActor(locals),
			context: locals.audit,
			action: 'resident.search',
			result: 'ok',
			payload: {
				purpose: 'identity_proofing',
				by: atena ? 'atena' : 'kana_birth_date',
				hits: results.length
			}
		});
		return { criteria, searched: true, results };
	}
};
