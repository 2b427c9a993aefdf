// 個人番号 lives in its own schema, encrypted per value (AES-256-GCM, key outside the database)
// with an HMAC blind index for look-ups. The portal role gets no USAGE on the schema at all:
// the internet-facing process cannot read it even by mistake (三層の対策).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE SCHEMA mynumber;
REVOKE ALL ON SCHEMA mynumber FROM PUBLIC;
GRANT USAGE ON SCHEMA mynumber TO vaccination_backoffice;

CREATE TABLE mynumber.individual_number (
	municipality_code text NOT NULL,
	atena_number text NOT NULL,
	key_id text NOT NULL,
	nonce bytea NOT NULL CHECK (length(nonce) = 12),
	ciphertext bytea NOT NULL,                    -- AES-256-GCM, AAD = table|municipality|宛名番号
	auth_tag bytea NOT NULL CHECK (length(auth_tag) = 16),
	blind_index bytea NOT NULL CHECK (length(blind_index) = 32),
	recorded_at timestamptz NOT NULL DEFAULT now(),
	recorded_by text NOT NULL,
	PRIMARY KEY (municipality_code, atena_number),
	FOREIGN KEY (municipality_code, atena_number) REFERENCES public.resident,
	UNIQUE (municipality_code, blind_index)
);
REVOKE ALL ON mynumber.individual_number FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON mynumber.individual_number TO vaccination_backoffice;
`.execute(db);
}
