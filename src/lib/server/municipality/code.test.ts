import { describe, expect, it } from 'vitest';
import { demoMunicipality } from '../demo/city';
import { isValidMunicipalityCode } from './index';

describe('全国地方公共団体コード', () => {
	it('accepts real codes and the demo city', () => {
		expect(isValidMunicipalityCode('112038')).toBe(true); // 川口市
		expect(isValidMunicipalityCode('011002')).toBe(true); // 札幌市
		expect(isValidMunicipalityCode('131032')).toBe(true); // 港区
		expect(isValidMunicipalityCode(demoMunicipality.municipality_code)).toBe(true);
	});

	it('rejects a wrong check digit or shape', () => {
		expect(isValidMunicipalityCode('112037')).toBe(false);
		expect(isValidMunicipalityCode('11203')).toBe(false);
		expect(isValidMunicipalityCode('11203x')).toBe(false);
	});
});
