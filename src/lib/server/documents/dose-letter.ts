// What every letter about one dose of one person carries (the 予診票, the 実施依頼書): the city,
// the document's number and date, the person as registered, their guardian, the vaccine and dose.
import type { Municipality } from '../municipality';

export type DoseLetterContent = {
	municipality: Municipality;
	documentNumber: string;
	issuedOn: string;
	person: {
		nameKanji: string;
		nameKana: string;
		birthDate: string;
		sex: 'male' | 'female';
		postalCode: string;
		address: string;
	};
	guardianName: string | null;
	vaccine: { nameJa: string; doseJa: string };
};
