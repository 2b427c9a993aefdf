// The city's clock. Every calendar date a person reads or a deadline counts from (受付日, 発行日,
// 期限) is the date in Japan, whatever the server's or the database's time zone: an instant taken
// at 04:46 JST is still the same 日付 as at noon. Japan has kept one offset (+09:00, no summer
// time) since 1952, so adding nine hours is exact for every date this system handles.
import { z } from 'zod';

const offsetMs = 9 * 3_600_000;

/** The date in Japan ('YYYY-MM-DD') at this instant. */
export function tokyoDate(instant: Date): string {
	return new Date(instant.getTime() + offsetMs).toISOString().slice(0, 10);
}

/** The date and minute in Japan ('YYYY-MM-DD HH:MM'), for reports that print a time. */
export function tokyoMinute(instant: Date): string {
	return new Date(instant.getTime() + offsetMs).toISOString().slice(0, 16).replace('T', ' ');
}

// Calendar arithmetic on 'YYYY-MM-DD' strings, in UTC so that a time zone never moves a date.

export type Duration = { years: number; months: number; weeks: number; days: number };

export function parseDuration(text: string): Duration {
	const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(text);
	if (!match || text === 'P') throw new Error(`not an ISO-8601 date duration: ${text}`);
	const [, years, months, weeks, days] = match;
	return {
		years: Number(years ?? 0),
		months: Number(months ?? 0),
		weeks: Number(weeks ?? 0),
		days: Number(days ?? 0)
	};
}

function toDate(iso: string): Date {
	return new Date(`${iso}T00:00:00Z`);
}

function toIso(date: Date): string {
	return date.toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
	const date = toDate(iso);
	date.setUTCDate(date.getUTCDate() + days);
	return toIso(date);
}

export function addDuration(iso: string, duration: string): string {
	const { years, months, weeks, days } = parseDuration(duration);
	const start = toDate(iso);
	const totalMonths = start.getUTCMonth() + years * 12 + months;
	const year = start.getUTCFullYear() + Math.floor(totalMonths / 12);
	const month = ((totalMonths % 12) + 12) % 12;
	const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
	const moved = new Date(Date.UTC(year, month, Math.min(start.getUTCDate(), lastDay)));
	moved.setUTCDate(moved.getUTCDate() + weeks * 7 + days);
	return toIso(moved);
}

/** A real calendar date written 'YYYY-MM-DD' (2025-02-30 is refused). */
export const calendarDate = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/)
	.refine((value) => {
		const parsed = new Date(`${value}T00:00:00Z`);
		return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
	});
