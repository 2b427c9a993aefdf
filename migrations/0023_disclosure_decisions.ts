// Deciding 開示・訂正・利用停止請求 (DOMAIN.md P5, issue 8): the disclosure package — a snapshot
// of everything held about the person, taken when the officer assembles it, so the decision is
// made on what was reviewed —, the parts withheld with their legal reason, the copy fees, how the
// result is delivered, the decision documents, suspensions of use that follow an accepted
// 利用停止請求, and online requests signed by the person in the portal.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE municipality
	ADD COLUMN disclosure_fee_yen integer NOT NULL DEFAULT 0 CHECK (disclosure_fee_yen >= 0),
	ADD COLUMN disclosure_copy_fee_yen integer NOT NULL DEFAULT 10 CHECK (disclosure_copy_fee_yen >= 0);

ALTER TABLE desk_request
	ADD COLUMN delivery text CHECK (delivery IN ('desk', 'mail', 'portal')),
	ADD COLUMN pages integer CHECK (pages >= 0),
	ADD COLUMN fee_yen integer CHECK (fee_yen >= 0),
	ADD COLUMN decision_reason text CHECK (length(decision_reason) <= 2000),
	ADD COLUMN decision_document_id uuid REFERENCES issued_document,
	ADD COLUMN disclosure_document_id uuid REFERENCES issued_document,
	ADD COLUMN dose_change_id bigint REFERENCES vaccination_dose_change,
	ADD COLUMN signed_act_id uuid UNIQUE REFERENCES signed_act,
	-- Portal delivery only for a request made in the portal (the person signed in to receive it).
	ADD CONSTRAINT desk_request_portal_delivery CHECK (delivery <> 'portal' OR channel = 'online'),
	ADD CONSTRAINT desk_request_online_signed CHECK (channel <> 'online' OR signed_act_id IS NOT NULL);

CREATE TABLE disclosure_package (
	request_id uuid PRIMARY KEY REFERENCES desk_request,
	assembled_at timestamptz NOT NULL,
	assembled_by text NOT NULL,
	items jsonb NOT NULL
);

-- What is withheld: a whole item (field '') or one passage of it, with the ground in the Act.
CREATE TABLE disclosure_withholding (
	request_id uuid NOT NULL REFERENCES disclosure_package,
	item_key text NOT NULL,
	field text NOT NULL DEFAULT '',
	ground text NOT NULL CHECK (ground IN ('life_safety', 'third_party', 'self_protection',
		'public_safety', 'deliberation', 'administration')),
	note text CHECK (length(note) <= 400),
	withheld_by text NOT NULL,
	withheld_at timestamptz NOT NULL,
	PRIMARY KEY (request_id, item_key, field)
);

-- 利用停止: the person's records are not to be used in ordinary work from the day it is accepted.
CREATE TABLE use_suspension (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	atena_number text NOT NULL,
	request_id uuid NOT NULL UNIQUE REFERENCES desk_request,
	since date NOT NULL,
	scope text NOT NULL CHECK (length(scope) BETWEEN 1 AND 2000),
	decided_by text NOT NULL,
	lifted_on date,
	FOREIGN KEY (municipality_code, atena_number) REFERENCES resident
);
CREATE INDEX use_suspension_person_idx ON use_suspension (municipality_code, atena_number)
	WHERE lifted_on IS NULL;

-- A disclosure delivered in the portal can be downloaded for a limited time.
ALTER TABLE issued_document ADD COLUMN available_until timestamptz;

ALTER TABLE signed_act DROP CONSTRAINT signed_act_kind_check;
ALTER TABLE signed_act ADD CONSTRAINT signed_act_kind_check
	CHECK (kind IN ('submit', 'withdraw', 'answer_return', 'consent', 'desk_request'));

REVOKE ALL ON disclosure_package, disclosure_withholding, use_suspension FROM vaccination_portal;
`.execute(db);
}
