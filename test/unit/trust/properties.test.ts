import fc from 'fast-check';

import { parseAuthenticationResults, safeHeaderText } from '../../../src/trust';

describe('safeHeaderText properties', () => {
  it('never returns a control character, a line break or more than the maximum', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer({ min: 0, max: 300 }), (s, max) => {
        const safe = safeHeaderText(s, max);

        expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
        expect(Array.from(safe).length).toBeLessThanOrEqual(max);
      }),
    );
  });
});

describe('parseAuthenticationResults properties', () => {
  it('never throws and never aligns without dmarc=pass, whatever the header holds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const header = `Authentication-Results: mx.ams-support.example;${value}`;
        const raw = `${header}\r\nFrom: a@example.com\r\n\r\n`;

        const verdict = parseAuthenticationResults(raw, 'mx.ams-support.example');

        if (verdict?.aligned) expect(verdict.dmarc).toBe('pass');
      }),
    );
  });
});
