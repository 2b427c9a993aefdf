// 利用登録のご案内: the letter that carries a resident's enrolment code to their registered
// address (identity issue, letter route). Japanese first, an English summary after it.
import type { Municipality } from '../municipality';
import { Layout } from './layout';

export type EnrolmentLetter = {
	municipality: Municipality;
	recipient: { postalCode: string; address: string; name: string };
	code: string;
	expiresOn: string; // YYYY-MM-DD (JST)
	portalUrl: string;
	issuedOn: string;
	documentNumber: string;
};

export async function renderEnrolmentLetter(letter: EnrolmentLetter): Promise<Uint8Array> {
	const city = letter.municipality;
	const layout = await Layout.create({
		title: `予防接種ポータル 利用登録のご案内 / Enrolment code for the vaccination portal`,
		author: `${city.name_ja} ${city.division_ja}`,
		subject: 'enrolment letter',
		language: 'ja',
		documentNumber: letter.documentNumber
	});
	const japaneseDate = (iso: string) => {
		const [year, month, day] = iso.split('-');
		return `${year}年${Number(month)}月${Number(day)}日`;
	};
	layout.text(`〒${letter.recipient.postalCode}`, { size: 11 });
	layout.text(letter.recipient.address, { size: 11 });
	layout.text(`${letter.recipient.name} 様`, { size: 13, bold: true, gap: 18 });
	layout.text(japaneseDate(letter.issuedOn), { color: 'muted' });
	layout.text(`${city.mayor_title_ja}（${city.division_ja}）`, { color: 'muted', gap: 16 });
	layout.text('予防接種ポータル 利用登録のご案内', { size: 16, bold: true, gap: 10 });
	layout.text(
		'予防接種の手続き（予診票の再発行、英文予防接種証明書、健康被害救済の請求、実施依頼書）をスマートフォンから行うための登録コードをお送りします。このコードは、住民票の住所にお住まいのご本人を確認するためのものです。他の人に教えないでください。'
	);
	layout.space(6);
	layout.text('登録コード', { bold: true });
	layout.box(letter.code, 22);
	layout.text(`有効期限: ${japaneseDate(letter.expiresOn)}（1回のみ使用できます）`, {
		bold: true,
		gap: 10
	});
	layout.text('登録の手順', { bold: true, size: 12 });
	layout.text(`1. スマートフォンで ${letter.portalUrl} を開きます。`, { indent: 8 });
	layout.text('2. 登録コードと生年月日を入力します。', { indent: 8 });
	layout.text(
		'3. 画面の案内に従って「パスキー」を登録します。パスキーは、スマートフォンの指紋・顔認証または画面ロックのPINで使う、パスワードの代わりになる鍵です。',
		{ indent: 8 }
	);
	layout.text(
		'入力を5回間違えるとこのコードは使えなくなります。その場合や、心当たりのない場合は、下記の窓口へご連絡ください。本人確認書類（マイナンバーカード等）をお持ちいただければ、窓口でも登録できます。',
		{ gap: 10 }
	);
	layout.text(
		`お問い合わせ: ${city.desk_name_ja} 〒${city.desk_postal_code} ${city.desk_address_ja}`,
		{ color: 'muted' }
	);
	layout.text(`電話 ${city.desk_phone}　${city.desk_hours_ja}`, { color: 'muted' });
	layout.rule();
	layout.text('Enrolment code for the vaccination portal', { bold: true, size: 12 });
	layout.text(
		`${city.name_en} sends you this code to register for online vaccination services. Open ${letter.portalUrl} on your phone, enter the code above with your date of birth, and create a passkey (your phone's fingerprint, face or screen-lock PIN). The code works once and expires on ${letter.expiresOn}. After five wrong attempts it stops working. Questions: ${city.desk_name_en}, ${city.desk_phone} (${city.desk_hours_en}).`
	);
	return layout.save();
}
