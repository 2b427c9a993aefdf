import { describe, expect, it } from 'vitest';
import { generalKinds } from '../applications/kinds';
import { deskMachine, deskStages } from '../desk/machine';
import { reliefMachine, reliefStages } from '../relief/cases';
import { allowedFrom, nextStageOf, type Machine } from './machine';
import { stages } from './status';

type Row = { stage: string; prepared_by: string | null };
type In = { reason?: string; ok?: boolean };
const toy: Machine<
	'a' | 'b' | 'done',
	'go' | 'check' | 'note',
	Row,
	In,
	'why' | 'not_ok' | 'same'
> = {
	closed: ['done'],
	actions: {
		go: {
			from: ['a'],
			to: 'b',
			permission: 'p',
			reason: 'why',
			audit: 'application.note',
			documents: []
		},
		check: {
			from: ['b'],
			to: (_row, input) => (input.ok ? 'done' : 'a'),
			permission: 'q',
			reason: false,
			checks: { field: 'prepared_by', refusal: 'same' },
			needs: (input) => (input.ok === undefined ? 'not_ok' : null),
			audit: 'application.approve',
			documents: ['notice']
		},
		note: { from: 'open', permission: 'p', reason: false, audit: 'application.note', documents: [] }
	}
};
const both = { id: 'me', permissions: new Set(['p', 'q']) };

describe('a machine in the shared shape', () => {
	it('refuses in a fixed order: the right, the stage, the person, the reason, the needs', () => {
		const row = { stage: 'b', prepared_by: 'me' };
		expect(
			nextStageOf(toy, 'check', row, { id: 'me', permissions: new Set(['p']) }, {}, '')
		).toEqual({ refused: 'forbidden' });
		expect(nextStageOf(toy, 'go', row, both, {}, '')).toEqual({ refused: 'wrong_stage' });
		expect(nextStageOf(toy, 'check', row, both, {}, '')).toEqual({ refused: 'same' });
		expect(nextStageOf(toy, 'go', { ...row, stage: 'a' }, both, { reason: ' ' }, '')).toEqual({
			refused: 'why'
		});
		expect(nextStageOf(toy, 'check', { ...row, prepared_by: 'you' }, both, {}, '')).toEqual({
			refused: 'not_ok'
		});
	});

	it('leads where the row says, by the input where the row decides, or stays', () => {
		const row = { stage: 'b', prepared_by: 'you' };
		expect(nextStageOf(toy, 'check', row, both, { ok: true }, '')).toEqual({ to: 'done' });
		expect(nextStageOf(toy, 'check', row, both, { ok: false }, '')).toEqual({ to: 'a' });
		expect(nextStageOf(toy, 'note', row, both, {}, '')).toEqual({ to: 'b' });
		expect(nextStageOf(toy, 'note', { ...row, stage: 'done' }, both, {}, '')).toEqual({
			refused: 'wrong_stage'
		});
	});

	it('refuses an action the table does not have', () => {
		expect(
			nextStageOf(toy, 'fly' as never, { stage: 'a', prepared_by: null }, both, {}, '')
		).toEqual({ refused: 'forbidden' });
	});
});

// Every case type's table, read the same way: nobody without the row's right gets past it, and
// no row but an 'open' one is offered from a stage it does not list.
const machines: [
	string,
	{
		closed: readonly string[];
		actions: Record<string, { from: readonly string[] | 'open'; permission: string }>;
	},
	readonly string[]
][] = [
	...Object.values(generalKinds).map(
		(kind) => [kind.kind, kind.machine, stages] as [string, typeof kind.machine, readonly string[]]
	),
	['relief', reliefMachine, reliefStages],
	['desk', deskMachine, deskStages]
];

describe.each(machines)('the %s machine', (_name, machine, all) => {
	it('names a right for every row and offers rows only from their stages', () => {
		for (const [action, rule] of Object.entries(machine.actions)) {
			expect(rule.permission, action).toMatch(/^[a-z_]+\.[a-z_]+$/);
			for (const stage of all) {
				const listed =
					rule.from === 'open' ? !machine.closed.includes(stage) : rule.from.includes(stage);
				expect(allowedFrom(machine, rule, stage), `${action} from ${stage}`).toBe(listed);
				const refused = nextStageOf(
					machine as never,
					action as never,
					{ stage } as never,
					{ id: 'x', permissions: new Set() },
					{} as never,
					'2026-01-01'
				);
				expect(refused, `${action} from ${stage} without ${rule.permission}`).toEqual({
					refused: 'forbidden'
				});
			}
		}
	});
});
