// The audit entry of a domain change is chained at its transaction's commit, not where it is
// written (issue 10's load figures). An entry written with audit.append inside a transaction
// held the municipality's chain lock from that statement until the app sent COMMIT: a round trip
// to an app whose event loop, under load, was busy with other requests, while every other
// appender of the city waited. Sessions waiting on the chain lock were the largest wait left.
//
// Now such an entry goes into audit.pending, and a deferred constraint trigger chains it with
// audit.append while PostgreSQL commits the transaction: the lock is taken and released inside
// the server, for the append and the commit's WAL flush only. The entry is still in the same
// transaction as the change it records (both commit or neither), and seq and occurred_at are
// still assigned under the lock, so the chain is exactly as before; occurred_at is the moment of
// commit. A pending row never outlives its transaction: the trigger deletes it after chaining.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE audit.pending (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	genesis bytea NOT NULL CHECK (length(genesis) = 32),
	entries jsonb NOT NULL CHECK (jsonb_typeof(entries) = 'array')
);

CREATE FUNCTION audit.chain_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM audit.append(NEW.municipality_code, NEW.genesis, NEW.entries);
	DELETE FROM audit.pending WHERE id = NEW.id;
	RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER pending_chained_at_commit AFTER INSERT ON audit.pending
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit.chain_pending();

REVOKE ALL ON audit.pending FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.chain_pending() FROM PUBLIC;
-- DELETE only for the trigger, which runs as the writer; SELECT for its WHERE clause. Nothing
-- else reads the table: a row is visible only inside the transaction that wrote it.
GRANT SELECT, INSERT, DELETE ON audit.pending TO vaccination_portal, vaccination_backoffice;
`.execute(db);
}
