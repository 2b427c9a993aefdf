// One round trip per audit append (issue 10's load figures): under load, sessions queued on the
// chain lock, which was held across four round trips to the app (read the head, insert the
// entry, insert the payload, commit), each slowed by a busy event loop. audit.append takes the
// lock, reads the head, numbers, times and hashes each entry and inserts it, all inside the
// server; in autocommit the lock is then held only for the function and its commit.
//
// The app sends each entry's canonical encoding (chain.ts) cut around the two fields only the
// server now knows, seq and occurred_at: head ‖ "seq","time" ‖ tail. The verifier recomputes the
// encoding from the stored columns, so an entry whose columns and cut text disagree shows up as a
// broken chain, just as a forged row would. occurred_at is clock_timestamp() taken under the lock,
// so it stays monotonic along the chain.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE FUNCTION audit.append(p_municipality_code text, p_genesis bytea, p_entries jsonb)
RETURNS TABLE (seq bigint, entry_hash bytea)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	v_seq bigint;
	v_prev bytea;
	v_time timestamptz;
	v_hash bytea;
	v_entry jsonb;
BEGIN
	IF current_setting('transaction_isolation') <> 'read committed' THEN
		RAISE EXCEPTION 'audit entries must be written under READ COMMITTED, not %',
			current_setting('transaction_isolation');
	END IF;
	PERFORM pg_advisory_xact_lock(hashtextextended('audit.entry:' || p_municipality_code, 0));
	-- A statement that starts after the lock is granted: it sees the previous appender's commit.
	SELECT e.seq, e.entry_hash INTO v_seq, v_prev FROM audit.entry e
	WHERE e.municipality_code = p_municipality_code
	ORDER BY e.seq DESC LIMIT 1;
	v_seq := coalesce(v_seq, 0);
	v_prev := coalesce(v_prev, p_genesis);
	FOR v_entry IN SELECT value FROM jsonb_array_elements(p_entries) LOOP
		v_seq := v_seq + 1;
		v_time := clock_timestamp();
		v_hash := sha256(v_prev || convert_to(
			(v_entry->>'head') || to_json(v_seq::text)::text || ',' ||
			to_json(to_char(v_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text ||
			(v_entry->>'tail'), 'UTF8'));
		INSERT INTO audit.entry (municipality_code, seq, occurred_at, actor_type, actor_id, actor_role,
			department, ip, user_agent, session_hash, request_id, action, subject_atena_number,
			object_type, object_id, reason, result, payload_hash, prev_hash, entry_hash)
		VALUES (p_municipality_code, v_seq, v_time, v_entry->>'actor_type', v_entry->>'actor_id',
			v_entry->>'actor_role', v_entry->>'department', v_entry->>'ip', v_entry->>'user_agent',
			v_entry->>'session_hash', v_entry->>'request_id', v_entry->>'action',
			v_entry->>'subject_atena_number', v_entry->>'object_type', v_entry->>'object_id',
			v_entry->>'reason', v_entry->>'result', decode(v_entry->>'payload_hash', 'hex'), v_prev,
			v_hash);
		IF v_entry ? 'payload' THEN
			INSERT INTO audit.payload (municipality_code, seq, payload)
			VALUES (p_municipality_code, v_seq, v_entry->'payload');
		END IF;
		v_prev := v_hash;
		seq := v_seq;
		entry_hash := v_hash;
		RETURN NEXT;
	END LOOP;
END
$$;
REVOKE ALL ON FUNCTION audit.append(text, bytea, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.append(text, bytea, jsonb) TO vaccination_portal, vaccination_backoffice;
`.execute(db);
}
