// The city's clock. Every calendar date a person reads or a deadline counts from (受付日, 発行日,
// 期限) is the date in Japan, whatever the server's or the database's time zone: an instant taken
// at 04:46 JST is still the same 日付 as at noon. Japan has kept one offset (+09:00, no summer
// time) since 1952, so adding nine hours is exact for every date this system handles.
const offsetMs = 9 * 3_600_000;

/** The date in Japan ('YYYY-MM-DD') at this instant. */
export function tokyoDate(instant: Date): string {
	return new Date(instant.getTime() + offsetMs).toISOString().slice(0, 10);
}

/** The date and minute in Japan ('YYYY-MM-DD HH:MM'), for reports that print a time. */
export function tokyoMinute(instant: Date): string {
	return new Date(instant.getTime() + offsetMs).toISOString().slice(0, 16).replace('T', ' ');
}
