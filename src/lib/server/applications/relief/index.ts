// 健康被害救済 (DOMAIN.md P3): the claimant's questions, and the machine the relief officers
// work the claim with (kept with their screens in relief/cases.ts; its documents are issued
// there, by the rows that say so).
import { reliefMachine } from '../../relief/cases';
import { relief } from './wizard';

export const reliefKind = { kind: 'relief', wizard: relief, machine: reliefMachine } as const;
