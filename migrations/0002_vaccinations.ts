// Vaccine catalogue (as data, per city: a city may add 行政措置 vaccines), medical institutions
// and the 予防接種台帳 doses (DOMAIN.md §5, P7).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE vaccine (
	municipality_code text NOT NULL REFERENCES municipality,
	vaccine_code text NOT NULL,
	category text NOT NULL CHECK (category IN ('A', 'B', 'administrative')),  -- A類 / B類 / 行政措置
	name_ja text NOT NULL,
	name_en text NOT NULL,
	diseases_en text NOT NULL,
	sort_order integer NOT NULL,
	active boolean NOT NULL DEFAULT true,
	PRIMARY KEY (municipality_code, vaccine_code)
);

-- One row per dose or 期. Eligibility windows are ISO-8601 durations from the date of birth,
-- or a named rule for windows that follow the school or fiscal year (see eligibility.ts).
CREATE TABLE vaccine_dose (
	municipality_code text NOT NULL,
	vaccine_code text NOT NULL,
	dose_code text NOT NULL,
	label_ja text NOT NULL,
	label_en text NOT NULL,
	sequence integer NOT NULL,
	window_rule text NOT NULL CHECK (window_rule IN ('age', 'preschool_year', 'fiscal_year', 'annual_season')),
	eligible_from text NOT NULL,          -- ISO-8601 duration, e.g. P2M, P6W, P65Y
	eligible_until text,                  -- exclusive; NULL = no upper age
	recommended_from text,
	recommended_until text,
	min_interval_days integer,            -- from the previous dose of the same vaccine
	repeats_yearly boolean NOT NULL DEFAULT false,
	note_ja text,
	note_en text,
	PRIMARY KEY (municipality_code, vaccine_code, dose_code),
	FOREIGN KEY (municipality_code, vaccine_code) REFERENCES vaccine
);

CREATE TABLE medical_institution (
	municipality_code text NOT NULL REFERENCES municipality,
	institution_code text NOT NULL CHECK (institution_code ~ '^[0-9]{10}$'),  -- 医療機関コード
	name_ja text NOT NULL,
	name_en text NOT NULL,
	postal_code text NOT NULL,
	address text NOT NULL,
	phone text NOT NULL,
	active boolean NOT NULL DEFAULT true,
	PRIMARY KEY (municipality_code, institution_code)
);

CREATE TABLE vaccination_dose (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	atena_number text NOT NULL,
	vaccine_code text NOT NULL,
	dose_code text NOT NULL,
	legal_basis text NOT NULL CHECK (legal_basis IN ('statutory', 'administrative', 'voluntary')), -- 区分 法定/行政措置等
	administered_on date NOT NULL,                -- 接種日
	institution_code text,                        -- 医療機関 in the city
	institution_name text,                        -- or as written, for doses given elsewhere
	product_name text,                            -- ワクチン種類/製品名
	manufacturer text,
	lot_number text,
	dose_volume_ml numeric(4, 2),                 -- 接種量
	status text NOT NULL CHECK (status IN ('administered', 'not_administered')), -- 接種状況
	claimed_on date,                              -- 請求のあった日
	voucher_number text,                          -- 接種券番号
	source text NOT NULL CHECK (source IN ('yoshinhyo', 'transfer_in', 'handbook', 'import', 'outside_request', 'demo')),
	entered_by text NOT NULL,                     -- staff_user id, or 'system:<job>'
	entered_at timestamptz NOT NULL DEFAULT now(),
	checked_by text,                              -- second person (ACC-1); NULL while pending
	checked_at timestamptz,
	FOREIGN KEY (municipality_code, atena_number) REFERENCES resident,
	FOREIGN KEY (municipality_code, vaccine_code, dose_code) REFERENCES vaccine_dose,
	FOREIGN KEY (municipality_code, institution_code) REFERENCES medical_institution,
	CHECK (institution_code IS NOT NULL OR institution_name IS NOT NULL),
	CHECK ((checked_by IS NULL) = (checked_at IS NULL)),
	CHECK (checked_by IS NULL OR checked_by <> entered_by)
);
CREATE INDEX vaccination_dose_person_idx ON vaccination_dose (municipality_code, atena_number, administered_on);
CREATE INDEX vaccination_dose_vaccine_idx ON vaccination_dose (municipality_code, vaccine_code, administered_on);
`.execute(db);
}
