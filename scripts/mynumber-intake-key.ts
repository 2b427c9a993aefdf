// Prints the back office's public 個人番号 intake key, for the portal's MY_NUMBER_INTAKE_KEY.
// Run where MY_NUMBER_KEY is set (the back office); the output is public, the input is not.
import { parseKeySpec } from '../src/lib/server/config';
import { formatIntakeKey, intakePublicKey } from '../src/lib/server/mynumber/intake';

const spec = process.env.MY_NUMBER_KEY;
if (!spec) {
	console.error('MY_NUMBER_KEY is not set');
	process.exit(2);
}
console.log(formatIntakeKey(intakePublicKey(parseKeySpec(spec))));
