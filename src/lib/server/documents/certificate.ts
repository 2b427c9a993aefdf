// 英文予防接種証明書 / Certificate of Vaccination: bilingual labels, the holder as in the passport,
// every selected dose (the table continues on further pages with its header), the issuing
// authority, and a QR holding a SMART Health Card plus the address of the public verify page.
import type { Municipality } from '../municipality';
import { manufacturerNames } from '../vaccinations/manufacturers';
import { englishDate, japaneseDate } from './dates';
import { Layout } from './layout';

export type CertificateDose = {
	vaccineEn: string;
	vaccineJa: string;
	diseasesEn: string;
	doseEn: string;
	doseJa: string;
	administeredOn: string;
	lotNumber: string | null;
	manufacturer: string | null;
	/** Where it was given: the English name, the Japanese one, or both. */
	institutionEn: string | null;
	institutionJa: string | null;
};

export type CertificateContent = {
	municipality: Municipality;
	documentNumber: string;
	issuedOn: string;
	holder: {
		passportName: string;
		nameKanji: string;
		birthDate: string;
		sex: 'male' | 'female';
		nationality: string;
		passportNumber: string | null;
	};
	doses: CertificateDose[];
	/** The public verify page, with the short code (one printed line). */
	verifyUrl: string;
	/** The SMART Health Cards as each QR's numeric payload ("shc:/…"), with what each covers. */
	healthCards: { numeric: string; label: string }[];
};

const latinOnly = /^[\x20-\x7e\u00a0-\u024f\u2018-\u201d]*$/;
// A name kept only in Japanese (a dose taken over from another city's file, say) is printed
// with a note in English, so that no cell of the English document is Japanese only.
const inJapaneseOnly = '(as recorded, in Japanese)';

/** "English\nJapanese" when both are known and differ; never a Japanese-only cell. */
export function bilingual(en: string | null, ja: string | null): string {
	if (en && ja && en !== ja) return `${en}\n${ja}`;
	const one = en ?? ja;
	if (!one) return '—';
	return latinOnly.test(one) ? one : `${one}\n${inJapaneseOnly}`;
}

/** The vaccine's English name with the diseases it prevents, unless the name already says them. */
export function vaccineCell(dose: Pick<CertificateDose, 'vaccineEn' | 'diseasesEn' | 'vaccineJa'>) {
	const named = dose.vaccineEn.toLowerCase().includes(dose.diseasesEn.toLowerCase());
	const english = named ? dose.vaccineEn : `${dose.vaccineEn} (${dose.diseasesEn})`;
	return bilingual(english, dose.vaccineJa);
}

/** A known maker by the English name it uses itself (its Japanese name adds nothing abroad). */
export function manufacturerCell(recorded: string | null): string {
	if (!recorded) return '—';
	const names = manufacturerNames(recorded);
	return names ? names.en : bilingual(null, recorded);
}

export async function renderCertificate(content: CertificateContent): Promise<Uint8Array> {
	const city = content.municipality;
	const { holder } = content;
	const layout = await Layout.create({
		title: `Certificate of Vaccination / 予防接種証明書 — ${holder.passportName}`,
		author: `${city.name_en} (${city.name_ja})`,
		subject: 'Certificate of Vaccination',
		language: 'en',
		documentNumber: content.documentNumber,
		header: `Certificate of Vaccination / 予防接種証明書 — ${holder.passportName}`,
		boldScripts: 'latin'
	});
	layout.text('Certificate of Vaccination', { size: 20, bold: true, gap: 0 });
	layout.text('予防接種証明書', { size: 13, bold: true, color: 'muted', gap: 10 });
	layout.fields(
		[
			['Name (as in passport) / 氏名', holder.passportName],
			['Name in Japanese / 氏名（漢字）', holder.nameKanji],
			[
				'Date of birth / 生年月日',
				`${englishDate(holder.birthDate)}（${japaneseDate(holder.birthDate)}）`
			],
			['Sex / 性別', holder.sex === 'male' ? 'Male / 男' : 'Female / 女'],
			['Nationality / 国籍', holder.nationality],
			...(holder.passportNumber
				? [['Passport No. / 旅券番号', holder.passportNumber] as [string, string]]
				: [])
		],
		{ labelWidth: 170 }
	);
	layout.space(4);
	layout.text('Vaccinations / 接種記録', { size: 12, bold: true, gap: 2 });
	layout.table(
		[
			{ header: 'Vaccine / ワクチン', width: 30 },
			{ header: 'Dose / 回数', width: 13 },
			{ header: 'Date / 接種日', width: 15 },
			{ header: 'Lot / ロット', width: 11 },
			{ header: 'Manufacturer / 製造販売業者', width: 15 },
			{ header: 'Administered at / 接種機関', width: 16 }
		],
		content.doses.map((dose) => [
			vaccineCell(dose),
			bilingual(dose.doseEn, dose.doseJa),
			englishDate(dose.administeredOn),
			dose.lotNumber ?? '—',
			manufacturerCell(dose.manufacturer),
			bilingual(dose.institutionEn, dose.institutionJa)
		])
	);
	layout.text(
		`This is to certify that the person named above received the vaccinations listed, as recorded in the vaccination register of ${city.name_en}, ${city.prefecture_en}, Japan.`,
		{ size: 9.5 }
	);
	layout.text(
		`上記の者は、${city.prefecture_ja}${city.name_ja}の予防接種台帳の記録のとおり予防接種を受けたことを証明します。`,
		{ size: 9.5, gap: 10 }
	);
	layout.fields(
		[
			[
				'Date of issue / 発行日',
				`${englishDate(content.issuedOn)}（${japaneseDate(content.issuedOn)}）`
			],
			['Issued by / 発行者', `${city.mayor_title_en}\n${city.mayor_title_ja}`],
			['Certificate No. / 証明書番号', content.documentNumber]
		],
		{ labelWidth: 170 }
	);
	layout.space(6);
	// The verify address on a line of its own, the width of the page, in a size that keeps it on
	// one line (a wrapped address was opened by its first line alone).
	layout.text('Verify this certificate / 証明書の確認', { size: 9.5, bold: true, gap: 2 });
	layout.text(content.verifyUrl, { size: 11, bold: true, gap: 2, singleLine: true });
	layout.text(
		'Open the address above, or scan a code below (SMART Health Card, signed by the issuer). 上記のアドレスを開くか、下のQRコード（SMART Health Card）を読み取って、この証明書が有効か確認できます。',
		{ size: 8, gap: 6 }
	);
	content.healthCards.forEach((card, index) => {
		layout.qrBlock(
			[
				{ data: Buffer.from('shc:/'), mode: 'byte' },
				{ data: card.numeric.slice(5), mode: 'numeric' }
			],
			[
				{ text: card.label, bold: true, size: 9 },
				{
					text:
						content.healthCards.length > 1
							? `This certificate's vaccinations are in ${content.healthCards.length} codes; this one holds the vaccines named above. 接種記録は${content.healthCards.length}つのコードに分けて収めています。`
							: 'This code holds every vaccination listed. すべての接種記録をこのコードに収めています。',
					size: 8
				}
			],
			{ seal: index === 0 ? 'Official seal\n公印' : undefined }
		);
	});
	return layout.save();
}
