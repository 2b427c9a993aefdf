// Form handlers for the proofing routes: a letter code with the birth date, or a desk link.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { db } from '../db';
import { claimLetterCode, claimLink, type Enrolment } from './enrolment';
import { AuthFailure } from './failures';
import { auditFailure, ceremonyHash } from './http';
import { servedMunicipality } from '../municipality/served';
import { count, isLimited, limits } from './rate-limit';
import { formOf } from '../http/form';

export async function claimByLetter(event: RequestEvent) {
	const form = await formOf(event.request);
	const code = String(form.get('code') ?? '').slice(0, 64);
	const birthDate = String(form.get('birth_date') ?? '').slice(0, 10);
	const city = await servedMunicipality();
	const values = { code, birthDate };
	if (!code.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) {
		return fail(400, { ...values, message: m.enrol_fields_missing() });
	}
	const failure = await claimed(event, city.municipality_code, 'resident', () =>
		claimLetterCode(db(), {
			code,
			birthDate,
			ceremonyHash: ceremonyHash(event.cookies),
			now: new Date()
		})
	);
	if (failure) {
		// One message for every reason: a guesser learns nothing about which part was wrong.
		return fail(failure.reason === 'rate_limited' ? 429 : 400, {
			...values,
			message: failure.reason === 'rate_limited' ? m.auth_rate_limited() : m.enrol_code_failed()
		});
	}
	redirect(303, '/enrol/passkey');
}

export async function claimByLink(event: RequestEvent, route: 'desk' | 'staff', token: string) {
	const city = await servedMunicipality();
	const failure = await claimed(
		event,
		city.municipality_code,
		route === 'staff' ? 'staff' : 'resident',
		() =>
			claimLink(db(), { route, token, ceremonyHash: ceremonyHash(event.cookies), now: new Date() })
	);
	return failure ? fail(400, { message: m.enrol_link_failed() }) : null;
}

/**
 * Runs a claim behind the per-address throttle and audits it either way; returns the failure
 * (counted against the address) or null.
 */
async function claimed(
	event: RequestEvent,
	municipalityCode: string,
	realm: 'resident' | 'staff',
	claim: () => Promise<Enrolment>
): Promise<AuthFailure | null> {
	try {
		await refuseWhenThrottled(event);
		const enrolment = await claim();
		await auditClaim(
			event,
			municipalityCode,
			enrolment.atena_number,
			enrolment.id,
			enrolment.route
		);
		return null;
	} catch (error) {
		if (!(error instanceof AuthFailure)) throw error;
		await countFailure(event, error);
		await auditFailure(event, {
			action: 'auth.enrolment_claim',
			failure: error,
			municipalityCode,
			realm
		});
		return error;
	}
}

async function refuseWhenThrottled(event: RequestEvent): Promise<void> {
	if (await isLimited(db(), limits.codeFailuresPerIp(event.getClientAddress()))) {
		throw new AuthFailure('rate_limited', 'code failures from this address');
	}
}

async function countFailure(event: RequestEvent, error: AuthFailure): Promise<void> {
	if (error.reason !== 'rate_limited') {
		await count(db(), limits.codeFailuresPerIp(event.getClientAddress()));
	}
}

async function auditClaim(
	event: RequestEvent,
	municipalityCode: string,
	atenaNumber: string | null,
	enrolmentId: string,
	route: string
) {
	await recordAudit(db(), {
		municipalityCode,
		actor: { type: 'anonymous', id: 'anonymous', role: 'anonymous' },
		context: event.locals.audit,
		action: 'auth.enrolment_claim',
		subjectAtenaNumber: atenaNumber ?? undefined,
		objectType: 'enrolment',
		objectId: enrolmentId,
		result: 'ok',
		payload: { route }
	});
}
