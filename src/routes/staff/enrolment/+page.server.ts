import { recordAudit } from '$lib/server/audit/record';
import { staffActor } from '$lib/server/auth/http';
import { db } from '$lib/server/db';
import { requirePermission } from '$lib/server/staff/permissions';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	requirePermission(locals, 'identity.proof');
	return {};
};

// Search by 宛名番号, or by kana name (prefix) with the birth date — never by name alone. A POST,
// so names and birth dates never sit in a URL (history, proxies, logs).
export const actions: Actions = {
	default: async ({ locals, request }) => {
		const staff = requirePermission(locals, 'identity.proof');
		const form = await request.formData();
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
		let query = db()
			.selectFrom('resident')
			.select(['atena_number', 'name_kanji', 'name_kana', 'birth_date', 'status'])
			.where('municipality_code', '=', staff.municipalityCode)
			.limit(20);
		query = /^[0-9]{1,15}$/.test(atena)
			? query.where('atena_number', '=', atena)
			: atena
				? query.where('atena_number', '=', '-')
				: query
						.where('name_kana', 'like', `${kana.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
						.where('birth_date', '=', birthDate);
		const results = await query.orderBy('name_kana').execute();
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
