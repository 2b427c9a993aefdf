// What the back office publishes to the portal zone (issue 27, docs/zones.md), as both sides read
// it: an account's view and a city's catalogue. The portal checks each body against these shapes
// before it shows anything, so a body it cannot read is "not published yet", never a crash.
import { z } from 'zod';

export const projectionTopics = [
	'account',
	'catalogue',
	'document',
	'application',
	'access',
	'city',
	'credential',
	'verification',
	'keys'
] as const;
export type ProjectionTopic = (typeof projectionTopics)[number];

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** A dose as the portal shows it in a person's 予防接種の記録. */
export const projectedDose = z.object({
	id: z.string().max(20),
	vaccineCode: z.string().max(40),
	doseCode: z.string().max(40),
	administeredOn: date,
	productName: z.string().max(200).nullable(),
	institutionJa: z.string().max(200).nullable(),
	institutionEn: z.string().max(200).nullable(),
	pendingCheck: z.boolean()
});
export type ProjectedDose = z.infer<typeof projectedDose>;

/**
 * A person an account may act for: the account's own person, or a child it represents. `from`
 * and `until` are a child's 法定代理人 link (until the day before the 18th birthday): the portal
 * decides "represented now" with its own clock, so a link that ends at midnight ends on time
 * without a publication. No 宛名番号: `ref` is the account's opaque reference to the person.
 */
export const projectedPerson = z.object({
	ref: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
	relation: z.enum(['self', 'child']),
	nameKanji: z.string().max(200),
	nameKana: z.string().max(200),
	birthDate: date,
	sex: z.enum(['male', 'female']),
	from: date.nullable(),
	until: date.nullable(),
	doses: z.array(projectedDose).max(500)
});
export type ProjectedPerson = z.infer<typeof projectedPerson>;

/** A notice to the account (a passkey added, an application received, …), newest first. */
export const projectedNotice = z.object({
	id: z.string().uuid(),
	kind: z.string().max(40),
	at: z.string().datetime({ offset: true }),
	applicationId: z.string().uuid().nullable(),
	reference: z.string().max(40).nullable()
});
export type ProjectedNotice = z.infer<typeof projectedNotice>;

/** A document released to the portal about a person the account sees (the list's row). */
export const projectedDocument = z.object({
	id: z.string().uuid(),
	kind: z.string().max(40),
	number: z.string().max(40),
	ref: projectedPerson.shape.ref,
	issuedAt: z.string().datetime({ offset: true }),
	availableUntil: z.string().datetime({ offset: true }).nullable()
});
export type ProjectedDocument = z.infer<typeof projectedDocument>;

/** A released document's file, published on its own (topic 'document', keyed by its id). */
export const documentView = z.object({
	fileName: z.string().max(200),
	contentBase64: z.string().max(20_000_000),
	availableUntil: z.string().datetime({ offset: true }).nullable()
});
export type DocumentView = z.infer<typeof documentView>;

/** An application the account has sent, as its list shows it (a draft is the portal's own). */
export const projectedApplicationRow = z.object({
	id: z.string().uuid(),
	kind: z.string().max(40),
	status: z.string().max(40),
	reference: z.string().max(40).nullable(),
	/** Whom it is about (the account's reference to the person), shown while represented. */
	ref: projectedPerson.shape.ref.nullable(),
	updatedAt: z.string().datetime({ offset: true })
});
export type ProjectedApplicationRow = z.infer<typeof projectedApplicationRow>;

/** A relief claim's stages as the resident may see them (relief/timeline.ts builds it). */
export const projectedReliefTimeline = z.object({
	stage: z.string().max(40),
	closed: z.boolean(),
	decision: z.string().max(40).nullable(),
	milestones: z
		.array(
			z.object({
				key: z.string().max(40),
				state: z.enum(['done', 'current', 'upcoming']),
				on: z.string().datetime({ offset: true }).nullable()
			})
		)
		.max(20),
	missing: z.array(z.string().max(80)).max(50),
	messages: z
		.array(z.object({ at: z.string().datetime({ offset: true }), text: z.string().max(4000) }))
		.max(200),
	appeal: z.object({ filedOn: date, outcome: z.string().max(40).nullable() }).nullable(),
	documents: z
		.array(
			z.object({ id: z.string().uuid(), kind: z.string().max(40), number: z.string().max(40) })
		)
		.max(50)
});

/**
 * One application as its page shows it (topic 'application', keyed by its id): published only
 * once sent. `account` is the applicant's: the portal shows it to that account alone, and only
 * while the person it is about is one the account represents now.
 */
export const applicationView = z.object({
	account: z.string().uuid(),
	ref: projectedPerson.shape.ref.nullable(),
	kind: z.string().max(40),
	status: z.string().max(40),
	reference: z.string().max(40).nullable(),
	/** The version a withdrawal signs (what the resident withdraws is this one). */
	version: z.number().int().min(0),
	submittedAt: z.string().datetime({ offset: true }).nullable(),
	updatedAt: z.string().datetime({ offset: true }),
	withdrawable: z.boolean(),
	/** What the caseworker asked to correct (差し戻し), while returned. */
	returnItems: z.array(z.object({ step: z.string().max(40), note: z.string().max(4000) })).max(50),
	history: z
		.array(
			z.object({
				to: z.string().max(40),
				by: z.string().max(20),
				reason: z.string().max(4000).nullable(),
				items: z.number().int().min(0),
				at: z.string().datetime({ offset: true })
			})
		)
		.max(500),
	relief: projectedReliefTimeline.nullable()
});
export type ApplicationView = z.infer<typeof applicationView>;

/** A 開示・訂正・利用停止請求 the account signed online, with its clock as the desk keeps it. */
export const projectedDeskRequest = z.object({
	id: z.string().uuid(),
	reference: z.string().max(40),
	kind: z.string().max(20),
	receivedOn: date,
	/** The deadline, or the extended one. */
	due: date,
	status: z.string().max(40),
	decision: z.string().max(40).nullable(),
	decidedOn: date.nullable(),
	delivery: z.string().max(40).nullable(),
	/** The one-time key of the page it was signed on (the page confirms it by this). */
	requestKey: z.string().uuid().nullable()
});
export type ProjectedDeskRequest = z.infer<typeof projectedDeskRequest>;

/** A decided disclosure about the account's person (a correction or suspension may follow it). */
export const projectedDisclosure = z.object({
	id: z.string().uuid(),
	reference: z.string().max(40),
	decidedOn: date
});
export type ProjectedDisclosure = z.infer<typeof projectedDisclosure>;

export const accountView = z.object({
	people: z.array(projectedPerson).min(1).max(50),
	/** The newest notices (as many as the dashboard shows). */
	notices: z.array(projectedNotice).max(20),
	/** Released documents about the people the account sees, newest first. */
	documents: z.array(projectedDocument).max(200),
	/** The applications it has sent, newest first (a view published before they were: none). */
	applications: z.array(projectedApplicationRow).max(50).default([]),
	/** The 開示・訂正・利用停止請求 it signed online, newest first. */
	deskRequests: z.array(projectedDeskRequest).max(50).default([]),
	/** Disclosures about its person decided within the time a correction may follow one. */
	disclosures: z.array(projectedDisclosure).max(50).default([]),
	/** When the back office took in the resident's consent to electronic notices. */
	consentedAt: z.string().datetime({ offset: true }).nullable()
});
export type AccountView = z.infer<typeof accountView>;

/** An entry of a person's 閲覧履歴: a staff member's look at or change to their records. */
export const projectedAccessEntry = z.object({
	at: z.string().datetime({ offset: true }),
	action: z.string().max(60),
	role: z.string().max(200),
	department: z.string().max(200).nullable(),
	/** Only where the city has chosen to show staff names. */
	staffName: z.string().max(200).nullable(),
	reason: z.string().max(4000).nullable()
});
export type ProjectedAccessEntry = z.infer<typeof projectedAccessEntry>;

/** How many of a person's newest 閲覧履歴 entries are published (older ones: a 開示請求). */
export const accessEntriesPublished = 500;

/**
 * The 閲覧履歴 of each person an account sees (topic 'access', keyed by the account), newest
 * first, as many as `accessEntriesPublished`; `more` says older ones exist (a 開示請求 gives them).
 */
export const accessView = z.object({
	people: z
		.array(
			z.object({
				ref: projectedPerson.shape.ref,
				entries: z.array(projectedAccessEntry).max(accessEntriesPublished),
				more: z.boolean()
			})
		)
		.max(50)
});
export type AccessView = z.infer<typeof accessView>;

/**
 * The city's settings (topic 'city', keyed by its code): the municipality row as the back office
 * keeps it — public facts only (names, the desk's contact, fees, clocks, the passkey policy) —
 * with its one timestamp as text.
 */
const text = (max: number) => z.string().max(max);
const count = z.number().int().min(0).max(1_000_000);
export const cityView = z
	.object({
		municipality_code: z.string().regex(/^[0-9]{6}$/),
		name_ja: text(100),
		name_en: text(100),
		name_kana: text(100),
		prefecture_ja: text(100),
		prefecture_en: text(100),
		division_ja: text(200),
		division_en: text(200),
		division_phone: text(40).nullable(),
		mayor_title_ja: text(100),
		mayor_title_en: text(100),
		desk_name_ja: text(200),
		desk_name_en: text(200),
		desk_postal_code: text(10),
		desk_address_ja: text(400),
		desk_address_en: text(400),
		desk_phone: text(40),
		desk_email: text(200).nullable(),
		desk_hours_ja: text(400),
		desk_hours_en: text(400),
		access_log_shows_staff_names: z.boolean(),
		certificate_fee_yen: count,
		copy_fee_yen_per_page: count,
		disclosure_copy_fee_yen: count,
		disclosure_fee_yen: count,
		disclosure_deadline_days: count,
		disclosure_extension_days: count,
		disclosure_count_receipt_day: z.boolean(),
		closed_days: z.array(text(10)).max(1000),
		relief_stall_days: count,
		resident_idle_minutes: count,
		resident_absolute_hours: count,
		staff_idle_minutes: count,
		staff_absolute_hours: count,
		passkey_aaguid_allowlist: z.array(text(40)).max(1000),
		passkey_attestation: text(20),
		trusted_dose_sources: z.array(text(200)).max(1000),
		retention_years: z.record(z.string(), z.unknown()),
		created_at: z.string().datetime({ offset: true })
	})
	.strict();
export type CityView = z.infer<typeof cityView>;

/** A city's active catalogue, as vaccinations/active-catalogue.ts reads it. */
export const catalogueView = z.object({
	doses: z
		.array(
			z.object({
				vaccine_code: z.string(),
				category: z.string(),
				name_ja: z.string(),
				name_en: z.string(),
				sort_order: z.number(),
				dose_code: z.string(),
				label_ja: z.string(),
				label_en: z.string(),
				sequence: z.number(),
				window_rule: z.string(),
				eligible_from: z.string(),
				eligible_until: z.string().nullable(),
				recommended_until: z.string().nullable(),
				repeats_yearly: z.boolean()
			})
		)
		.max(2000)
});
export type CatalogueView = z.infer<typeof catalogueView>;

/**
 * A resident's passkey as the back office confirmed it (topic 'credential', keyed by the SHA-256
 * of the WebAuthn credential id, base64url): what the portal verifies a sign-in or a signed act
 * against. `id` is the back office's id of the credential (sessions and acts name it); `active`
 * says whether its holder may sign in (a person who moved out or died may not); `signCount` is
 * the counter as confirmed at registration (the portal then keeps its own).
 */
export const credentialView = z
	.object({
		id: z.string().uuid(),
		account: z.string().uuid(),
		municipalityCode: z.string().regex(/^[0-9]{6}$/),
		credentialId: z.string().regex(/^[A-Za-z0-9_-]{16,1400}$/),
		userHandle: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
		publicKey: z.string().regex(/^[A-Za-z0-9_-]{1,2048}$/),
		transports: z.array(z.string().max(32)).max(8),
		backupEligible: z.boolean(),
		signCount: z.number().int().min(0),
		active: z.boolean(),
		/** When it was revoked (by its holder, by staff, after too many failures); null: not. */
		revokedAt: z.string().datetime({ offset: true }).nullable(),
		flagged: z.boolean(),
		/** What the passkeys page shows: the name its holder gave it, and when it was registered. */
		nickname: z.string().min(1).max(60),
		createdAt: z.string().datetime({ offset: true })
	})
	.strict();
export type CredentialView = z.infer<typeof credentialView>;

/**
 * A certificate as its public verify page shows it (topic 'verification', keyed by the document):
 * what the holder shows anyway by handing it over, whether it still stands, and its SMART Health
 * Cards. Found by the short code printed on it or the long id of older certificates.
 */
export const verificationView = z
	.object({
		municipalityCode: z.string().regex(/^[0-9]{6}$/),
		code: z
			.string()
			.regex(/^[0-9A-HJKMNP-TV-Z]{12}$/)
			.nullable(),
		verifyId: z
			.string()
			.regex(/^[A-Za-z0-9_-]{22,64}$/)
			.nullable(),
		status: z.enum(['valid', 'superseded', 'revoked']),
		statusChangedAt: z.string().datetime({ offset: true }).nullable(),
		documentNumber: z.string().max(40),
		summary: z.object({
			holder: z.string().max(200),
			birthDate: z.string().max(20),
			doses: z
				.array(
					z.object({
						vaccine: z.string().max(300),
						dose: z.string().max(100),
						date: z.string().max(20)
					})
				)
				.max(500),
			cards: z.array(z.string().max(300)).max(50).optional(),
			issuer: z.string().max(300),
			issuedOn: z.string().max(20)
		}),
		healthCards: z.array(z.string().max(30_000)).max(50)
	})
	.strict();
export type VerificationView = z.infer<typeof verificationView>;

/**
 * A city's public document-signing keys (topic 'keys', keyed by the city), newest first, retired
 * ones included so older certificates verify: the JWKS a SMART Health Card verifier fetches from
 * the issuer, `<portal>/.well-known/jwks.json`. Public keys only.
 */
export const signingKeysView = z
	.object({
		keys: z
			.array(
				z
					.record(z.string().max(20), z.string().max(400))
					.refine((jwk) => !('d' in jwk), 'a private key')
			)
			.max(100)
	})
	.strict();
export type SigningKeysView = z.infer<typeof signingKeysView>;

/** Each topic's body as both sides read it: the publisher checks what it sends against it. */
export const topicShapes = {
	account: accountView,
	catalogue: catalogueView,
	document: documentView,
	application: applicationView,
	access: accessView,
	city: cityView,
	credential: credentialView,
	verification: verificationView,
	keys: signingKeysView
} satisfies Record<ProjectionTopic, z.ZodTypeAny>;

/** One change as it travels: a topic's key at a version, with its body (null: no longer there). */
export const projectionChange = z.object({
	topic: z.enum(projectionTopics),
	key: z.string().min(1).max(64),
	version: z.string().regex(/^[1-9][0-9]{0,18}$/),
	body: z.record(z.string(), z.unknown()).nullable()
});
export type ProjectionChange = z.infer<typeof projectionChange>;
export const projectionBatch = z.object({ changes: z.array(projectionChange).min(1).max(1000) });

/**
 * The request the resident signed from, as the portal saw it: kept with the back office's audit
 * entry of the act. The portal's word, not the resident's (the signature does not cover it), so
 * it names where a request came from and decides nothing.
 */
export const requestContextShape = z
	.object({
		requestId: z.string().max(100),
		ip: z.string().max(100).nullable(),
		userAgent: z.string().max(500).nullable(),
		sessionHash: z.string().max(100).nullable()
	})
	.strict();
export type RequestContext = z.infer<typeof requestContextShape>;

/** The people a page showed (or was asked for: a reference the account does not have). */
export const viewItemBody = z
	.object({
		/**
		 * dashboard, record: the people's 予防接種の記録 (vaccination.view); documents: the list of
		 * documents (document.list, `rows` shown); document: one downloaded (document.download,
		 * `documentId`, the person it is about in `refs`, none when it was not theirs);
		 * applications: the list (application.list, `rows`); application: one application's page
		 * (application.view, `applicationId`); access: a person's 閲覧履歴 (audit.view, `refs`);
		 * requests: the account's 開示・訂正・利用停止請求 (desk.list, `rows`).
		 */
		page: z.enum([
			'dashboard',
			'record',
			'documents',
			'document',
			'applications',
			'application',
			'access',
			'requests'
		]),
		refs: z.array(z.string().max(64)).max(50),
		rows: z.number().int().min(0).max(1000).optional(),
		documentId: z.string().max(64).optional(),
		applicationId: z.string().max(64).optional(),
		context: requestContextShape.optional()
	})
	.strict();
export type ViewItemBody = z.infer<typeof viewItemBody>;

/**
 * What the portal did about a resident's sign-in (issue 27): a sign-in, a sign-out, a session that
 * timed out, a ceremony that failed (with its reason code) — reported for the back office's audit
 * log, which the portal cannot write. The portal's word, like a view: it names what happened on
 * the portal and decides nothing here. `credential` is the back office's id of the passkey.
 */
export const authEventItemBody = z
	.object({
		action: z.enum([
			'auth.sign_in',
			'auth.sign_out',
			'auth.sign_out_all',
			'auth.session_timeout',
			'auth.sign',
			'auth.register',
			'auth.enrolment_claim'
		]),
		result: z.enum(['ok', 'denied']),
		reason: z
			.string()
			.regex(/^[a-z_]{1,40}$/)
			.optional(),
		credential: z.string().uuid().optional(),
		counter: z.number().int().min(0).max(4_294_967_295).optional(),
		ended: z.enum(['idle', 'absolute']).optional(),
		context: requestContextShape.optional()
	})
	.strict();
export type AuthEventItemBody = z.infer<typeof authEventItemBody>;

/**
 * A passkey the portal stopped using (issue 27): its counter went backwards (a second copy of the
 * key may exist), or it failed too many times in a row. The back office records it on its own
 * credential, tells the resident, and publishes it so. Restrictive only: a portal that lies can
 * stop a resident's passkey, which it could as well by refusing them; it can never revive one.
 */
export const credentialFlagItemBody = z
	.object({
		credential: z.string().uuid(),
		reason: z.enum(['counter_regression', 'too_many_failures']),
		context: requestContextShape.optional()
	})
	.strict();
export type CredentialFlagItemBody = z.infer<typeof credentialFlagItemBody>;

/**
 * A passkey its holder revoked on the portal (issue 27): the back office revokes its own row,
 * tells the resident and publishes it. Restrictive only, like a flag: no signature is asked.
 * `last`: the holder confirmed it was their last passkey.
 */
export const passkeyRevokeItemBody = z
	.object({
		credential: z.string().uuid(),
		last: z.boolean(),
		context: requestContextShape.optional()
	})
	.strict();
export type PasskeyRevokeItemBody = z.infer<typeof passkeyRevokeItemBody>;

/**
 * A new name for one of the holder's passkeys, given on the portal (issue 27). Unsigned, like a
 * revocation: a name is what the page shows its holder and opens nothing; the back office renames
 * its own row only if the passkey is the account's, audits it as reported by the portal, and
 * publishes it.
 */
export const passkeyRenameItemBody = z
	.object({
		credential: z.string().uuid(),
		nickname: z.string().trim().min(1).max(60),
		context: requestContextShape.optional()
	})
	.strict();
export type PasskeyRenameItemBody = z.infer<typeof passkeyRenameItemBody>;

/**
 * What a resident signs, with a passkey the account already has, to add another while signed in
 * (issue 27; signed act kind `passkey_add`): the new passkey exactly as the browser returned it
 * (its attestation response), the nonce its challenge was derived from (`addPasskeyChallenge`: the
 * account and that nonce, so the back office can check it was made for this account), and the
 * language its notice is written in. The back office verifies the signature against its own
 * credential, then the registration again, and only then binds the new passkey.
 */
export const passkeyAddPayload = z
	.object({
		act: z.literal('passkey_add'),
		account: z.string().uuid(),
		registration: z.record(z.string(), z.unknown()),
		nonce: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
		locale: z.enum(['ja', 'en'])
	})
	.strict();
export type PasskeyAddPayload = z.infer<typeof passkeyAddPayload>;

/**
 * A look-up on the public verify page (issue 27): the certificate the portal found for the address
 * asked (null: none), what was asked (at most 64 characters), and whether the cards file was
 * fetched. The portal's word, like a view: the back office audits it as `document.verify`.
 */
export const verifyLookupItemBody = z
	.object({
		document: z.string().uuid().nullable(),
		asked: z.string().max(64),
		file: z.boolean(),
		context: requestContextShape.optional()
	})
	.strict();
export type VerifyLookupItemBody = z.infer<typeof verifyLookupItemBody>;
