// The audit log (LOG-1..6): an append-only, hash-chained table per municipality.
// The application roles may only INSERT and SELECT; triggers refuse UPDATE, DELETE and TRUNCATE
// even for the owner, so only a superuser who disables triggers can alter a row — and then
// `npm run audit:verify` names it. Payloads that may hold personal data (search criteria and the
// like) live in audit.payload, whose rows may be erased at the retention deadline (RET-1) while
// the chain, which covers only their hash, still verifies.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE SCHEMA audit;
REVOKE ALL ON SCHEMA audit FROM PUBLIC;
GRANT USAGE ON SCHEMA audit TO vaccination_portal, vaccination_backoffice;

CREATE TABLE audit.entry (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	seq bigint NOT NULL CHECK (seq >= 1),            -- position in this municipality's chain
	occurred_at timestamptz NOT NULL,                -- taken after the chain lock, so it is monotonic
	actor_type text NOT NULL CHECK (actor_type IN ('staff', 'resident', 'system')),
	actor_id text NOT NULL,
	actor_role text NOT NULL,
	department text,
	ip text,
	user_agent text,
	session_hash text,                               -- SHA-256 of the session id, never the id
	request_id text,
	action text NOT NULL CHECK (action ~ '^[a-z][a-z_]*(\.[a-z][a-z_]*)+$'),
	subject_atena_number text,                       -- 宛名番号 of the person concerned
	object_type text,
	object_id text,
	reason text,                                     -- 処理事由
	result text NOT NULL CHECK (result IN ('ok', 'denied', 'error')),
	payload_hash bytea CHECK (payload_hash IS NULL OR length(payload_hash) = 32),
	prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
	entry_hash bytea NOT NULL CHECK (length(entry_hash) = 32),
	UNIQUE (municipality_code, seq),
	-- Fork tripwire: two entries can never chain off the same predecessor.
	UNIQUE (municipality_code, prev_hash)
);
CREATE INDEX audit_entry_subject_idx ON audit.entry (municipality_code, subject_atena_number, occurred_at)
	WHERE subject_atena_number IS NOT NULL;
CREATE INDEX audit_entry_actor_idx ON audit.entry (municipality_code, actor_id, occurred_at);

CREATE TABLE audit.payload (
	municipality_code text NOT NULL,
	seq bigint NOT NULL,
	payload jsonb NOT NULL,
	PRIMARY KEY (municipality_code, seq),
	FOREIGN KEY (municipality_code, seq) REFERENCES audit.entry (municipality_code, seq)
);

CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit log is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER entry_no_update_delete BEFORE UPDATE OR DELETE ON audit.entry
	FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
-- TRUNCATE does not fire row triggers; it needs its own statement trigger.
CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON audit.entry
	FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER payload_no_update BEFORE UPDATE ON audit.payload
	FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER payload_no_truncate BEFORE TRUNCATE ON audit.payload
	FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

-- Serialises appends to one municipality's chain for the rest of the calling transaction and
-- returns the current head. The lock is taken in the caller's own transaction (no second
-- connection, so no deadlock against it), and the head is read by a statement that starts after
-- the lock is granted, so under READ COMMITTED it always sees the previous appender's commit.
CREATE FUNCTION audit.lock_chain(p_municipality_code text)
RETURNS TABLE (seq bigint, entry_hash bytea)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'audit entries must be written under READ COMMITTED, not %',
			current_setting('transaction_isolation');
	END IF;
	PERFORM pg_advisory_xact_lock(hashtextextended('audit.entry:' || p_municipality_code, 0));
	RETURN QUERY
		SELECT e.seq, e.entry_hash FROM audit.entry e
		WHERE e.municipality_code = p_municipality_code
		ORDER BY e.seq DESC LIMIT 1;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA audit FROM PUBLIC;
GRANT SELECT, INSERT ON audit.entry, audit.payload TO vaccination_portal, vaccination_backoffice;
GRANT EXECUTE ON FUNCTION audit.lock_chain(text) TO vaccination_portal, vaccination_backoffice;
`.execute(db);
}
