import { normalisePhone } from './phone';

describe('normalisePhone', () => {
  it('reads national numbers with the business region and tells mobile from fixed line', () => {
    expect(normalisePhone('0171 234 5678', 'DE')).toEqual({ e164: '+491712345678', mobile: true });
    expect(normalisePhone('030 1234567', 'DE')).toEqual({ e164: '+49301234567', mobile: false });
    expect(normalisePhone('+1 (201) 555-0123', null)).toEqual({ e164: '+12015550123', mobile: true });
  });
  it('returns null for what is not a valid number, or a national number without a region', () => {
    expect(normalisePhone('12', 'DE')).toBeNull();
    expect(normalisePhone('0171 234 5678', null)).toBeNull();
  });
});
