import { bearerToken } from './bearer-token';

describe('bearerToken', () => {
  it('takes the one token of a Bearer header, whatever the scheme case and spacing', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
  });

  it('refuses other schemes, two tokens, no token and no header', () => {
    for (const h of ['Basic YWRtaW46eA==', 'Bearer a b', 'Bearer ', 'Bearerabc', '', undefined])
      expect(bearerToken(h)).toBeUndefined();
  });
});
