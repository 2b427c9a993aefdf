// Noto Sans JP (SIL Open Font License 1.1) from the npm package @expo-google-fonts/noto-sans-jp.
// The files are read once per process; each document embeds only the glyphs it uses (subset).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
let regular: Uint8Array | undefined;
let bold: Uint8Array | undefined;

function fontFile(weight: '400Regular' | '700Bold'): Uint8Array {
	const packageDir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json'));
	return readFileSync(path.join(packageDir, weight, `NotoSansJP_${weight}.ttf`));
}

export function fontBytes(): { regular: Uint8Array; bold: Uint8Array } {
	regular ??= fontFile('400Regular');
	bold ??= fontFile('700Bold');
	return { regular, bold };
}
