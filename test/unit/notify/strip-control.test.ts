import fc from 'fast-check';
import { stripControl } from '../../../src/notify/strip-control';

describe('stripControl', () => {
  it('turns line breaks and tabs into single spaces', () => {
    expect(stripControl(' a\r\nb\n\n\tc ')).toBe('a b c');
  });

  it('removes bidirectional overrides and zero-width characters', () => {
    expect(stripControl('AMS-\u202e1042\u200b')).toBe('AMS-1042');
  });

  it('cuts long text at a character boundary and marks the cut', () => {
    expect(stripControl('😀😀😀😀', 3)).toBe('😀😀…');
  });

  it('never returns a control character or a line separator', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        return !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(stripControl(value));
      }),
    );
  });
});
