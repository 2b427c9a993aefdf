// A titled table as a PDF: the staff rights reports (ACL-2 rights changes, ACL-4 periodic review).
import { Layout } from './layout';

export async function renderTableReport(input: {
	title: string;
	author: string;
	documentNumber: string;
	lines: string[];
	columns: { header: string; width: number }[];
	rows: string[][];
}): Promise<Uint8Array> {
	const layout = await Layout.create({
		title: input.title,
		author: input.author,
		language: 'ja',
		documentNumber: input.documentNumber
	});
	layout.text(input.title, { size: 15, bold: true, gap: 6 });
	for (const line of input.lines) layout.text(line, { color: 'muted', size: 9 });
	layout.space(6);
	layout.table(input.columns, input.rows);
	return layout.save();
}
