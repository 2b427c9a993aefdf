// SMART Health Cards that standard verifiers accept (issue 25):
//  - each vaccine carries a standard code (CVX; SNOMED CT where CVX has none), as data beside the
//    catalogue, so a card never codes a vaccine in a system only this city knows. The national
//    routine vaccines get their CVX codes here (the same table as vaccinations/catalogue.ts);
//  - a certificate may carry several cards, each small enough for one QR of version 22 at most,
//    so `health_cards` replaces `health_card` (existing certificates keep theirs as a one-card list);
//  - a short verify code (12 characters of Crockford base32, printed grouped: ABCD-EFGH-JKMN) that
//    fits one printed line; the long verify_id of earlier certificates keeps working.
// The rewrite guard now covers the cards and the code. Grants: the new columns inherit their
// tables' (docs/privileges.tsv).
import { sql, type Kysely } from 'kysely';

/** CVX codes of the national routine catalogue (https://www2.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx). */
const cvx: Record<string, string> = {
	dpt_ipv_hib: '120',
	dpt_ipv: '130',
	hib: '17',
	pcv: '152',
	hepatitis_b: '45',
	rotavirus: '122',
	bcg: '19',
	mr: '04',
	varicella: '21',
	japanese_encephalitis: '129',
	dt: '28',
	hpv: '137',
	influenza_elderly: '88',
	pneumococcal_elderly: '109',
	covid19_elderly: '213',
	herpes_zoster: '188'
};

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE vaccine
	ADD COLUMN cvx_code text CHECK (cvx_code ~ '^[0-9]{1,3}$'),
	ADD COLUMN snomed_code text CHECK (snomed_code ~ '^[0-9]{6,18}$');
ALTER TABLE issued_document
	ADD COLUMN health_cards text[],
	ADD COLUMN verify_code text UNIQUE CHECK (verify_code ~ '^[0-9A-HJKMNP-TV-Z]{12}$');
UPDATE issued_document SET health_cards = ARRAY[health_card] WHERE health_card IS NOT NULL;
CREATE OR REPLACE FUNCTION refuse_issued_document_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.content, NEW.document_number, NEW.subject_atena_number, NEW.kind, NEW.issued_at,
	    NEW.issued_by, NEW.approved_by, NEW.verify_id, NEW.verify_code, NEW.health_cards,
	    NEW.verify_summary)
	   IS DISTINCT FROM
	   (OLD.content, OLD.document_number, OLD.subject_atena_number, OLD.kind, OLD.issued_at,
	    OLD.issued_by, OLD.approved_by, OLD.verify_id, OLD.verify_code, OLD.health_cards,
	    OLD.verify_summary) THEN
		RAISE EXCEPTION 'an issued document is never rewritten' USING ERRCODE = 'check_violation';
	END IF;
	IF OLD.status <> 'valid' AND NEW.status IS DISTINCT FROM OLD.status THEN
		RAISE EXCEPTION 'a superseded or revoked document stays so' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
ALTER TABLE issued_document DROP COLUMN health_card;
`.execute(db);
	for (const [code, value] of Object.entries(cvx)) {
		await sql`UPDATE vaccine SET cvx_code = ${value} WHERE vaccine_code = ${code}`.execute(db);
	}
}
