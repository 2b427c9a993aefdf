// Sessions for the two realms, with lucia v3 over a small Kysely adapter: a resident's in the
// portal zone's own database (issue 27; the session names its account and city, nothing of the
// registry), a staff member's in the back office's.
//
// What lucia does not do, done here (research/anchors-security.md §2.3 item 11, §6 B):
// - the cookie value never reaches the database: the adapter stores and looks up its SHA-256,
//   which is also the session hash the audit log records, so entries link to sessions;
// - idle and absolute timeouts, enforced on the server from last_active_at and created_at,
//   against a clock the caller passes (tests move it instead of sleeping); lucia's own sliding
//   expiry is clamped so it can never reach past created_at + the absolute limit.
import { Lucia, TimeSpan, type Adapter, type DatabaseSession, type DatabaseUser } from 'lucia';
import { sql } from 'kysely';
import type { EitherZoneExecutor } from '../db/either-zone';
import type { AuthRealm } from './webauthn';
import { sha256 } from './tokens';

type SessionColumns = {
	credential_id: string;
	/** The resident's city (a staff member's comes from their user row). */
	municipality_code?: string;
	created_at: Date;
	last_active_at: Date;
	authenticated_at: Date;
	ip: string | null;
	user_agent: string | null;
};

declare module 'lucia' {
	interface Register {
		Lucia: Lucia<SessionColumns, OwnerColumns>;
		DatabaseSessionAttributes: SessionColumns;
		DatabaseUserAttributes: OwnerColumns;
	}
}

/** What a request needs of the session's owner, read with the session (one query, not two). */
type OwnerColumns = { municipality_code: string };

export type SessionSettings = { idleMinutes: number; absoluteHours: number };

const tables = {
	resident: {
		session: 'resident_session',
		owner: 'resident_account_id',
		users: 'resident_account'
	},
	staff: { session: 'staff_session', owner: 'staff_user_id', users: 'staff_user' }
} as const;

export function sessionIdHash(token: string): string {
	return sha256(token).toString('hex');
}

/** The adapter: every id lucia hands over is the cookie value; only its hash is stored. */
class HashedSessionAdapter implements Adapter {
	constructor(
		private readonly db: EitherZoneExecutor,
		private readonly realm: AuthRealm,
		private readonly absoluteHours: () => number
	) {}

	private get names() {
		return tables[this.realm];
	}

	async getSessionAndUser(
		sessionId: string
	): Promise<[DatabaseSession | null, DatabaseUser | null]> {
		const { session, owner, users } = this.names;
		// A deactivated staff account has no valid session, whatever the session row says. A
		// resident's session holds its city; the portal zone has no account table to join.
		const { rows } = await sql<
			SessionColumns & OwnerColumns & { owner_id: string; expires_at: Date }
		>`
			SELECT s.${sql.ref(owner)} AS owner_id, s.expires_at, s.credential_id, s.created_at,
				s.last_active_at, s.authenticated_at, s.ip, s.user_agent, ${
					this.realm === 'staff'
						? sql`u.municipality_code
			FROM ${sql.table(session)} s JOIN ${sql.table(users)} u ON u.id = s.${sql.ref(owner)}
			WHERE s.id = ${sessionIdHash(sessionId)} AND u.active`
						: sql`s.municipality_code
			FROM ${sql.table(session)} s WHERE s.id = ${sessionIdHash(sessionId)}`
				}`.execute(this.db);
		const row = rows[0];
		if (!row) return [null, null];
		return [
			{
				id: sessionId,
				userId: row.owner_id,
				expiresAt: row.expires_at,
				attributes: {
					credential_id: row.credential_id,
					created_at: row.created_at,
					last_active_at: row.last_active_at,
					authenticated_at: row.authenticated_at,
					ip: row.ip,
					user_agent: row.user_agent
				}
			},
			{
				id: row.owner_id,
				attributes: { municipality_code: row.municipality_code }
			}
		];
	}

	/** Listed for the account page; ids here are hashes, not usable as cookies. */
	async getUserSessions(userId: string): Promise<DatabaseSession[]> {
		const { session, owner } = this.names;
		const { rows } = await sql<SessionColumns & { id: string; expires_at: Date }>`
			SELECT * FROM ${sql.table(session)} WHERE ${sql.ref(owner)} = ${userId}`.execute(this.db);
		return rows.map((row) => ({
			id: row.id,
			userId,
			expiresAt: row.expires_at,
			attributes: row
		}));
	}

	async setSession(value: DatabaseSession): Promise<void> {
		const { session, owner } = this.names;
		const a = value.attributes;
		const limit = new Date(a.created_at.getTime() + this.absoluteHours() * 3_600_000);
		const expiresAt = value.expiresAt < limit ? value.expiresAt : limit;
		const city =
			this.realm === 'resident'
				? { column: sql`, municipality_code`, value: sql`, ${a.municipality_code}` }
				: { column: sql``, value: sql`` };
		await sql`
			INSERT INTO ${sql.table(session)} (id, ${sql.ref(owner)}, credential_id, expires_at,
				created_at, last_active_at, authenticated_at, ip, user_agent${city.column})
			VALUES (${sessionIdHash(value.id)}, ${value.userId}, ${a.credential_id}, ${expiresAt},
				${a.created_at}, ${a.last_active_at}, ${a.authenticated_at}, ${a.ip}, ${a.user_agent}${city.value})`.execute(
			this.db
		);
	}

	async updateSessionExpiration(sessionId: string, expiresAt: Date): Promise<void> {
		const { session } = this.names;
		// Lucia slides the expiry forward; it never passes the absolute limit.
		await sql`
			UPDATE ${sql.table(session)}
			SET expires_at = LEAST(${expiresAt}::timestamptz,
				created_at + make_interval(hours => ${this.absoluteHours()}))
			WHERE id = ${sessionIdHash(sessionId)}`.execute(this.db);
	}

	async deleteSession(sessionId: string): Promise<void> {
		const { session } = this.names;
		await sql`DELETE FROM ${sql.table(session)} WHERE id = ${sessionIdHash(sessionId)}`.execute(
			this.db
		);
	}

	async deleteUserSessions(userId: string): Promise<void> {
		const { session, owner } = this.names;
		await sql`DELETE FROM ${sql.table(session)} WHERE ${sql.ref(owner)} = ${userId}`.execute(
			this.db
		);
	}

	async deleteExpiredSessions(): Promise<void> {
		const { session } = this.names;
		await sql`DELETE FROM ${sql.table(session)} WHERE expires_at <= now()`.execute(this.db);
	}
}

export function sessionCookieName(realm: AuthRealm, secure: boolean): string {
	// __Host-: Secure, Path=/, no Domain — the browser refuses it from anywhere else.
	return `${secure ? '__Host-' : ''}${realm}_session`;
}

export type SessionManager = ReturnType<typeof createSessionManager>;

export type ValidSession = {
	status: 'valid';
	token: string;
	ownerId: string;
	municipalityCode: string;
	credentialId: string;
	createdAt: Date;
	authenticatedAt: Date;
};
export type SessionCheck = ValidSession | { status: 'none' | 'idle' | 'absolute' };

export function createSessionManager(
	db: EitherZoneExecutor,
	realm: AuthRealm,
	options: { secureCookies: boolean; settings: () => SessionSettings }
) {
	const lucia = new Lucia(
		new HashedSessionAdapter(db, realm, () => options.settings().absoluteHours),
		{
			sessionExpiresIn: new TimeSpan(options.settings().absoluteHours, 'h'),
			getSessionAttributes: (attributes) => attributes,
			getUserAttributes: (attributes) => attributes,
			sessionCookie: {
				name: sessionCookieName(realm, options.secureCookies),
				// No Max-Age: the browser forgets the cookie when it closes; the server decides expiry.
				expires: false,
				attributes: { secure: options.secureCookies, sameSite: 'lax' }
			}
		}
	);

	return {
		cookieName: lucia.sessionCookieName,

		/** A new session (a new id on every sign-in), returning the cookie to set. */
		async start(input: {
			ownerId: string;
			/** The resident's city (kept with a resident's session). */
			municipalityCode: string;
			credentialId: string;
			ip: string | null;
			userAgent: string | null;
			now: Date;
		}) {
			const session = await lucia.createSession(input.ownerId, {
				credential_id: input.credentialId,
				municipality_code: input.municipalityCode,
				created_at: input.now,
				last_active_at: input.now,
				authenticated_at: input.now,
				ip: input.ip,
				user_agent: input.userAgent?.slice(0, 512) ?? null
			});
			// lucia v3 turns `expires: false` into Max-Age of 400 days; the cookie we promise has
			// none (the browser forgets it when it closes, the server decides expiry).
			const { name, value, attributes } = lucia.createSessionCookie(session.id);
			const { maxAge: _maxAge, expires: _expires, ...sessionOnly } = attributes;
			return { token: session.id, cookie: { name, value, attributes: sessionOnly } };
		},

		/** Whether the cookie is a live session at `now`; ends it if a timeout has passed. */
		async check(token: string | undefined, now: Date): Promise<SessionCheck> {
			if (!token || token.length > 128) return { status: 'none' };
			const { session, user } = await lucia.validateSession(token);
			if (!session) return { status: 'none' };
			const settings = options.settings();
			const absoluteEnd = session.created_at.getTime() + settings.absoluteHours * 3_600_000;
			const idleEnd = session.last_active_at.getTime() + settings.idleMinutes * 60_000;
			if (now.getTime() >= absoluteEnd || now.getTime() >= idleEnd) {
				await lucia.invalidateSession(token);
				return { status: now.getTime() >= absoluteEnd ? 'absolute' : 'idle' };
			}
			// Activity moves only the idle timer. Writing it at most once a minute keeps a page load
			// from costing an UPDATE; the idle window is therefore exact to within a minute.
			if (now.getTime() - session.last_active_at.getTime() >= 60_000) {
				await sql`UPDATE ${sql.table(tables[realm].session)} SET last_active_at = ${now}
					WHERE id = ${sessionIdHash(token)}`.execute(db);
			}
			return {
				status: 'valid',
				token,
				ownerId: session.userId,
				municipalityCode: user.municipality_code,
				credentialId: session.credential_id,
				createdAt: session.created_at,
				authenticatedAt: session.authenticated_at
			};
		},

		async end(token: string) {
			await lucia.invalidateSession(token);
		},

		async endAll(ownerId: string) {
			await lucia.invalidateUserSessions(ownerId);
		},

		blankCookie: () => lucia.createBlankSessionCookie()
	};
}

/**
 * Ends every session that was opened with a credential (when it is revoked), in the database
 * that keeps the realm's sessions: the back office's for staff, the portal zone's for residents.
 */
export async function endSessionsOfCredential(
	db: EitherZoneExecutor,
	realm: AuthRealm,
	credentialRowId: string
): Promise<void> {
	await sql`DELETE FROM ${sql.table(tables[realm].session)} WHERE credential_id = ${credentialRowId}`.execute(
		db
	);
}
