import { CappedOutput } from './capped-output';

describe('capped output', () => {
  it('keeps everything under the limit', () => {
    const out = new CappedOutput(10);
    out.push(Buffer.from('abc'));
    out.push(Buffer.from('defg'));
    expect(out.text()).toBe('abcdefg');
    expect(out.truncated).toBe(false);
  });

  it('keeps exactly the limit and flags the rest as dropped', () => {
    const out = new CappedOutput(5);
    out.push(Buffer.from('abc'));
    out.push(Buffer.from('defg'));
    out.push(Buffer.from('hij'));
    expect(out.text()).toBe('abcde');
    expect(out.truncated).toBe(true);
  });

  it('is not truncated when the output ends exactly at the limit', () => {
    const out = new CappedOutput(3);
    out.push(Buffer.from('abc'));
    out.push(Buffer.alloc(0));
    expect(out.truncated).toBe(false);
  });

  it('decodes a character split across chunks', () => {
    const bytes = Buffer.from('é✓', 'utf8');
    const out = new CappedOutput(100);
    for (const byte of bytes) out.push(Buffer.from([byte]));
    expect(out.text()).toBe('é✓');
  });
});
