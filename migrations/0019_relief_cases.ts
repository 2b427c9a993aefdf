// 健康被害救済 case management (DOMAIN.md P3, issue 7): the benefit catalogue as data (who may
// claim each benefit, the documents it needs, its claim limit) with amounts per fiscal year
// (set by cabinet order every year, so they are rows with an effective date, not code), the
// relief case with its own stages from 受付 to 終結 and the appeal branch, the events behind the
// resident's timeline (public and internal notes kept apart), and payments.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE relief_benefit (
	code text PRIMARY KEY,
	name_ja text NOT NULL,
	name_en text NOT NULL,
	categories text[] NOT NULL,                -- A類 'A', B類 'B', 臨時 'temporary'
	claimant text NOT NULL CHECK (claimant IN ('injured', 'bereaved')),
	recurring boolean NOT NULL,               -- pensions: paid per period
	claim_limit_years integer,                -- NULL: no limit (pensions run from the claim)
	claim_limit_from text CHECK (claim_limit_from IN ('payment', 'treatment_month', 'death')),
	documents text[] NOT NULL,
	sort_order integer NOT NULL
);

INSERT INTO relief_benefit VALUES
	('medical_expenses', '医療費', 'Medical expenses', '{A,B,temporary}', 'injured', false, 5, 'payment',
		'{vaccination_proof,medical_record,receipts,bankbook}', 1),
	('medical_allowance', '医療手当', 'Medical allowance', '{A,B,temporary}', 'injured', false, 5, 'treatment_month',
		'{vaccination_proof,medical_record,bankbook}', 2),
	('child_disability_pension', '障害児養育年金', 'Pension for raising a disabled child', '{A,temporary}', 'injured', true, NULL, NULL,
		'{vaccination_proof,medical_record,diagnosis,bankbook}', 3),
	('disability_pension', '障害年金', 'Disability pension', '{A,B,temporary}', 'injured', true, NULL, NULL,
		'{vaccination_proof,medical_record,diagnosis,bankbook}', 4),
	('care_allowance', '介護加算', 'Care supplement', '{A,temporary}', 'injured', true, NULL, NULL,
		'{diagnosis}', 5),
	('death_lump_sum', '死亡一時金', 'Lump sum on death', '{A,temporary}', 'bereaved', false, 5, 'death',
		'{vaccination_proof,medical_record,death_certificate,family_register,bankbook}', 6),
	('survivor_pension', '遺族年金', 'Survivor pension', '{B}', 'bereaved', true, 5, 'death',
		'{vaccination_proof,medical_record,death_certificate,family_register,bankbook}', 7),
	('survivor_lump_sum', '遺族一時金', 'Survivor lump sum', '{B}', 'bereaved', false, 5, 'death',
		'{vaccination_proof,medical_record,death_certificate,family_register,bankbook}', 8),
	('funeral_expenses', '葬祭料', 'Funeral expenses', '{A,B,temporary}', 'bereaved', false, 5, 'death',
		'{death_certificate,family_register,bankbook}', 9);

-- Amounts per category (and grade where the law has grades) from a date. 'actual' = the amount
-- paid (医療費: the patient's share). Demo figures: each fiscal year the city enters the amounts
-- of that year's cabinet order as new rows; older rows stay for claims of earlier periods.
CREATE TABLE relief_benefit_amount (
	benefit_code text NOT NULL REFERENCES relief_benefit,
	category text NOT NULL CHECK (category IN ('A', 'B', 'temporary')),
	grade text NOT NULL DEFAULT '',
	effective_from date NOT NULL,
	amount_yen integer CHECK (amount_yen >= 0),
	unit text NOT NULL CHECK (unit IN ('actual', 'month', 'year', 'once')),
	PRIMARY KEY (benefit_code, category, grade, effective_from),
	CHECK ((unit = 'actual') = (amount_yen IS NULL))
);
INSERT INTO relief_benefit_amount VALUES
	('medical_expenses', 'A', '', '2025-04-01', NULL, 'actual'),
	('medical_expenses', 'B', '', '2025-04-01', NULL, 'actual'),
	('medical_allowance', 'A', '', '2025-04-01', 38900, 'month'),
	('medical_allowance', 'B', '', '2025-04-01', 38900, 'month'),
	('child_disability_pension', 'A', '1級', '2025-04-01', 1684800, 'year'),
	('child_disability_pension', 'A', '2級', '2025-04-01', 1348800, 'year'),
	('disability_pension', 'A', '1級', '2025-04-01', 5392800, 'year'),
	('disability_pension', 'A', '2級', '2025-04-01', 4314000, 'year'),
	('disability_pension', 'B', '1級', '2025-04-01', 2981400, 'year'),
	('disability_pension', 'B', '2級', '2025-04-01', 2385000, 'year'),
	('death_lump_sum', 'A', '', '2025-04-01', 47400000, 'once'),
	('survivor_pension', 'B', '', '2025-04-01', 2608800, 'year'),
	('survivor_lump_sum', 'B', '', '2025-04-01', 7826400, 'once'),
	('funeral_expenses', 'A', '', '2025-04-01', 221000, 'once'),
	('funeral_expenses', 'B', '', '2025-04-01', 221000, 'once');

-- ACL-9: a relief document (decision notice, letter to the prefecture) reaches the resident's
-- 発行書類 only when a person releases it; every other document is released when issued.
ALTER TABLE issued_document ADD COLUMN released_at timestamptz DEFAULT now();
UPDATE issued_document SET released_at = issued_at;

ALTER TABLE municipality
	ADD COLUMN relief_stall_days integer NOT NULL DEFAULT 30 CHECK (relief_stall_days BETWEEN 1 AND 365);

CREATE TABLE relief_case (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	application_id uuid UNIQUE REFERENCES application,   -- NULL: a claim taken at the desk on paper
	subject_atena_number text NOT NULL,
	claimant_name text NOT NULL,                         -- the injured person, guardian or bereaved
	category text NOT NULL CHECK (category IN ('A', 'B', 'temporary')),
	benefits text[] NOT NULL CHECK (cardinality(benefits) > 0),
	received_on date NOT NULL,
	stage text NOT NULL CHECK (stage IN ('received', 'document_check', 'awaiting_documents', 'committee',
		'forward_pending', 'forwarded', 'national_review', 'certified', 'denied', 'decision_pending',
		'decided_pay', 'decided_not_pay', 'paying', 'appeal', 'appeal_decided', 'closed')),
	stage_since timestamptz NOT NULL,
	version integer NOT NULL DEFAULT 1,
	missing_documents text[] NOT NULL DEFAULT '{}',
	committee_on date,
	committee_minutes text,
	committee_opinion text,
	forward_prepared_by text,
	forward_approved_by text,
	forwarded_on date,
	forward_letter_id uuid REFERENCES issued_document,
	ministry_on date,
	certification text CHECK (certification IN ('certified', 'denied')),
	certified_on date,
	certification_ref text,
	decision_prepared_by text,
	decision_approved_by text,
	decision text CHECK (decision IN ('pay', 'not_pay')),
	decided_on date,
	decision_document_id uuid REFERENCES issued_document,
	appeal_filed_on date,
	appeal_outcome text CHECK (appeal_outcome IN ('upheld', 'overturned')),
	appeal_decided_on date,
	bank_code text CHECK (bank_code ~ '^[0-9]{4}$'),
	branch_code text CHECK (branch_code ~ '^[0-9]{3}$'),
	account_type text CHECK (account_type IN ('ordinary', 'current')),
	account_number text CHECK (account_number ~ '^[0-9]{7}$'),
	account_holder_kana text CHECK (account_holder_kana ~ '^[ァ-ヶー・　 ()（）]{1,30}$'),
	closed_on date,
	FOREIGN KEY (municipality_code, subject_atena_number) REFERENCES resident,
	-- 進達 and decisions: whoever prepared them cannot approve them.
	CHECK (forward_approved_by IS NULL OR forward_approved_by <> forward_prepared_by),
	CHECK (decision_approved_by IS NULL OR decision_approved_by <> decision_prepared_by)
);
CREATE INDEX relief_case_stage_idx ON relief_case (municipality_code, stage, stage_since);

CREATE TABLE relief_event (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id uuid NOT NULL REFERENCES relief_case,
	action text NOT NULL,
	from_stage text NOT NULL,
	to_stage text NOT NULL,
	actor_id text NOT NULL,
	at timestamptz NOT NULL,
	public_note text,        -- shown to the resident (what the city is waiting for …)
	internal_note text,      -- staff only, never on the resident's timeline
	data jsonb
);
CREATE INDEX relief_event_case_idx ON relief_event (case_id, at);

CREATE TABLE relief_payment (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	case_id uuid NOT NULL REFERENCES relief_case,
	benefit_code text NOT NULL REFERENCES relief_benefit,
	period_from date,
	period_until date,
	amount_yen integer NOT NULL CHECK (amount_yen > 0),
	due_on date NOT NULL,
	status text NOT NULL CHECK (status IN ('scheduled', 'paid', 'suspended')),
	paid_on date,
	suspended_reason text,
	recorded_by text NOT NULL,
	recorded_at timestamptz NOT NULL,
	CHECK ((status = 'paid') = (paid_on IS NOT NULL)),
	CHECK ((status = 'suspended') = (suspended_reason IS NOT NULL)),
	CHECK (period_from IS NULL OR period_until IS NULL OR period_from <= period_until)
);
CREATE INDEX relief_payment_due_idx ON relief_payment (status, due_on);

-- The portal shows the resident a timeline: stages, dates, what is missing, public notes. It
-- never reads committee minutes or opinions, internal notes, the bank account or payments.
REVOKE ALL ON relief_case, relief_event, relief_payment FROM vaccination_portal;
GRANT SELECT (id, municipality_code, application_id, subject_atena_number, category, benefits,
	received_on, stage, stage_since, missing_documents, committee_on, forwarded_on, ministry_on,
	certification, certified_on, decision, decided_on, appeal_filed_on, appeal_outcome,
	appeal_decided_on, closed_on) ON relief_case TO vaccination_portal;
GRANT SELECT (id, case_id, action, from_stage, to_stage, at, public_note) ON relief_event
	TO vaccination_portal;
`.execute(db);
}
