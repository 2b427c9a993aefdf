// LOG-6: the auditor's regular review of the log, itself a record — which period, who reviewed
// it, what the chain check said then, and the findings. Append-only like the log.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE audit.review (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	period_from date NOT NULL,
	period_until date NOT NULL,
	reviewed_by text NOT NULL,
	reviewed_at timestamptz NOT NULL,
	entries integer NOT NULL,
	denied integer NOT NULL,
	chain_intact boolean NOT NULL,
	findings text NOT NULL CHECK (length(findings) BETWEEN 1 AND 4000),
	CHECK (period_from <= period_until)
);
CREATE INDEX audit_review_idx ON audit.review (municipality_code, period_until DESC);
CREATE TRIGGER review_no_update_delete BEFORE UPDATE OR DELETE ON audit.review
	FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER review_no_truncate BEFORE TRUNCATE ON audit.review
	FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
GRANT SELECT, INSERT ON audit.review TO vaccination_backoffice;
`.execute(db);
}
