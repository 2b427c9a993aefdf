import { config } from '$lib/server/config';
import { servedMunicipalityIfAny } from '$lib/server/municipality/served';
import { getLocale } from '$lib/paraglide/runtime';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = async ({ url }) => {
	const municipality = await servedMunicipalityIfAny();
	const english = getLocale() === 'en';
	return {
		path: url.pathname,
		appRole: config().appRole,
		city: municipality && {
			name: english ? municipality.name_en : municipality.name_ja,
			division: english ? municipality.division_en : municipality.division_ja,
			deskName: english ? municipality.desk_name_en : municipality.desk_name_ja,
			deskAddress: english
				? municipality.desk_address_en
				: `〒${municipality.desk_postal_code} ${municipality.desk_address_ja}`,
			deskPhone: municipality.desk_phone,
			deskHours: english ? municipality.desk_hours_en : municipality.desk_hours_ja
		}
	};
};
