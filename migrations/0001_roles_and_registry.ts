// Roles, the municipality, the resident registry and guardianship (DOMAIN.md §2, §5).
// Every table carries municipality_code so one database can serve several cities and be
// sharded by it later.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
-- Group roles the application runs as (login roles are members of exactly one of them).
-- Roles are cluster-wide, so create them only when missing.
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vaccination_portal') THEN
		CREATE ROLE vaccination_portal NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vaccination_backoffice') THEN
		CREATE ROLE vaccination_backoffice NOLOGIN;
	END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO vaccination_portal, vaccination_backoffice;
-- Tables and sequences created later by the migration owner get the ordinary grants;
-- the audit and mynumber schemas set their own, narrower ones.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vaccination_portal, vaccination_backoffice;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	GRANT USAGE, SELECT ON SEQUENCES TO vaccination_portal, vaccination_backoffice;

CREATE TABLE municipality (
	municipality_code text PRIMARY KEY CHECK (municipality_code ~ '^[0-9]{6}$'),
	prefecture_ja text NOT NULL,
	prefecture_en text NOT NULL,
	name_ja text NOT NULL,
	name_kana text NOT NULL,
	name_en text NOT NULL,
	mayor_title_ja text NOT NULL,
	mayor_title_en text NOT NULL,
	division_ja text NOT NULL,
	division_en text NOT NULL,
	desk_name_ja text NOT NULL,
	desk_name_en text NOT NULL,
	desk_postal_code text NOT NULL,
	desk_address_ja text NOT NULL,
	desk_address_en text NOT NULL,
	desk_phone text NOT NULL,
	desk_email text,
	desk_hours_ja text NOT NULL,
	desk_hours_en text NOT NULL,
	disclosure_deadline_days integer NOT NULL DEFAULT 30 CHECK (disclosure_deadline_days IN (14, 30)),
	disclosure_extension_days integer NOT NULL DEFAULT 30 CHECK (disclosure_extension_days BETWEEN 0 AND 60),
	certificate_fee_yen integer NOT NULL DEFAULT 0 CHECK (certificate_fee_yen >= 0),
	copy_fee_yen_per_page integer NOT NULL DEFAULT 10 CHECK (copy_fee_yen_per_page >= 0),
	-- Years to keep each record class (RET-1); keys are record classes, values whole years.
	retention_years jsonb NOT NULL DEFAULT '{}'::jsonb,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE resident (
	municipality_code text NOT NULL REFERENCES municipality,
	atena_number text NOT NULL CHECK (atena_number ~ '^[0-9]{1,15}$'),      -- 宛名番号
	household_number text NOT NULL,                                          -- 世帯番号
	is_household_head boolean NOT NULL,                                      -- 世帯主
	relationship text NOT NULL,                                              -- 続柄 (as on the register)
	name_kanji text NOT NULL,
	name_kana text NOT NULL,
	name_romaji text,
	birth_date date NOT NULL,
	sex text NOT NULL CHECK (sex IN ('male', 'female')),
	postal_code text NOT NULL CHECK (postal_code ~ '^[0-9]{3}-[0-9]{4}$'),
	address text NOT NULL,
	resident_type text NOT NULL CHECK (resident_type IN ('japanese', 'foreign')), -- 住民区分
	status text NOT NULL DEFAULT 'resident' CHECK (status IN ('resident', 'moved_out', 'deceased')),
	became_resident_on date NOT NULL,                                        -- 住民となった年月日
	became_resident_reason text NOT NULL CHECK (became_resident_reason IN ('birth', 'moved_in', 'other')),
	address_set_on date NOT NULL,                                            -- 住所を定めた年月日
	foreign_resident_on date,                                                -- 外国人住民となった年月日
	removed_on date,                                                         -- 消除 (転出/死亡)
	phone text,
	email text,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (municipality_code, atena_number),
	CHECK ((status = 'resident') = (removed_on IS NULL)),
	CHECK ((resident_type = 'foreign') = (foreign_resident_on IS NOT NULL))
);
CREATE INDEX resident_household_idx ON resident (municipality_code, household_number);
CREATE INDEX resident_birth_date_idx ON resident (municipality_code, birth_date);
CREATE INDEX resident_name_kana_idx ON resident (municipality_code, name_kana text_pattern_ops);

-- 法定代理人: a parent in the same household of a child under 18, derived from the register
-- (source 'household') or recorded at the desk from a court decision (source 'court').
CREATE TABLE guardianship (
	municipality_code text NOT NULL,
	guardian_atena_number text NOT NULL,
	child_atena_number text NOT NULL,
	source text NOT NULL CHECK (source IN ('household', 'court')),
	valid_from date NOT NULL,
	valid_until date NOT NULL,                         -- the day before the 18th birthday
	-- DV 支援措置: the link exists on the register but must never be used.
	suppressed_for_dv boolean NOT NULL DEFAULT false,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (municipality_code, guardian_atena_number, child_atena_number),
	FOREIGN KEY (municipality_code, guardian_atena_number) REFERENCES resident,
	FOREIGN KEY (municipality_code, child_atena_number) REFERENCES resident,
	CHECK (guardian_atena_number <> child_atena_number),
	CHECK (valid_from <= valid_until)
);
CREATE INDEX guardianship_child_idx ON guardianship (municipality_code, child_atena_number);

-- Staff: one account per person (AUTH-1); roles and permissions are data (ACL-1).
CREATE TABLE role (
	code text PRIMARY KEY,
	name_ja text NOT NULL,
	name_en text NOT NULL
);
CREATE TABLE permission (
	code text PRIMARY KEY,
	description_ja text NOT NULL,
	description_en text NOT NULL
);
-- role and permission are the product's own catalogue (code refers to them), shared by every
-- city; which permissions a role carries is the city's own decision, so that table is per city.
CREATE TABLE role_permission (
	municipality_code text NOT NULL REFERENCES municipality,
	role_code text NOT NULL REFERENCES role,
	permission_code text NOT NULL REFERENCES permission,
	PRIMARY KEY (municipality_code, role_code, permission_code)
);
CREATE TABLE staff_user (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	login_id text NOT NULL,
	display_name text NOT NULL,
	department_ja text NOT NULL,
	department_en text NOT NULL,
	active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	deactivated_at timestamptz,
	UNIQUE (municipality_code, login_id)
);
CREATE TABLE staff_role (
	municipality_code text NOT NULL,
	staff_user_id uuid NOT NULL REFERENCES staff_user ON DELETE CASCADE,
	role_code text NOT NULL REFERENCES role,
	granted_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (staff_user_id, role_code)
);
`.execute(db);
}
