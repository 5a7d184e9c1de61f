import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalName, displayName, latexLabel, latexName, prettyName, sharedName } from './names.ts';

/**
 * Strings of arbitrary code points, lone surrogates included: fast-check 4 dropped `fullUnicodeString`, and its
 * replacement `fc.string({ unit: 'binary' })` takes seconds to set up.
 */
const anyCodePoints = fc
  .array(fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint)), { maxLength: 40 })
  .map((characters) => characters.join(''));

describe('canonicalName', () => {
  it.each(['W3', 'W_3', 'W_{3}', 'W_{ 3 }', 'W₃', '\\boldsymbol{W}_3', '\\mathbf{W}_{3}'])('%s → W3', (text) => {
    expect(canonicalName(text)).toEqual({ key: 'W3', text });
  });

  it.each(['yhat', 'y_hat', 'y_{hat}', 'y\u0302', '\u0177', '\\hat{y}', '\\hat y', '\\hat{\\boldsymbol{y}}'])('%s → yhat', (text) => {
    expect(canonicalName(text).key).toBe('yhat');
  });

  it('puts the hat before the index', () => {
    expect(canonicalName('ŷ₁').key).toBe('yhat1');
    expect(canonicalName('\\hat{y}_1').key).toBe('yhat1');
    expect(canonicalName('yhat_1').key).toBe('yhat1');
  });

  it('maps \\mathcal{L} and ℒ to L', () => {
    expect(canonicalName('\\mathcal{L}').key).toBe('L');
    expect(canonicalName('ℒ').key).toBe('L');
    expect(canonicalName('L').key).toBe('L');
  });

  it('spells Greek letters by their LaTeX names', () => {
    expect(canonicalName('σ').key).toBe('sigma');
    expect(canonicalName('\\sigma').key).toBe('sigma');
    expect(canonicalName('ε').key).toBe(canonicalName('ϵ').key);
    expect(canonicalName('σ̂').key).toBe('sigmahat');
  });

  it.each(['a1', 'a_1', 'a⁽¹⁾', 'a^{(1)}', 'a^(1)', 'a^{[1]}', 'a^[1]', '\\mathbf{a}^{(1)}', '\\boldsymbol{a}^{ (1) }', '𝐚₁'])('%s → a1', (text) => {
    expect(canonicalName(text).key).toBe('a1');
  });

  it('reads literal layer indices and the mathematical alphabets', () => {
    expect(canonicalName('h^{(k-1)}').key).toBe('hk-1');
    expect(canonicalName('h⁽ᵏ⁻¹⁾').key).toBe('hk-1');
    expect(canonicalName('h^{(k − 1)}').key).toBe('hk-1');
    expect(canonicalName('𝓛').key).toBe('L');
    expect(canonicalName('\\ell').key).toBe('ell');
    expect(canonicalName('ℓ').key).toBe('ell');
    expect(canonicalName('𝜎').key).toBe('sigma');
  });

  it('keeps different names apart', () => {
    expect(canonicalName('W3').key).not.toBe(canonicalName('w3').key);
    expect(canonicalName('y').key).not.toBe(canonicalName('yhat').key);
  });

  it('never throws', () => {
    fc.assert(
      fc.property(anyCodePoints, (text) => typeof canonicalName(text).key === 'string'),
      { numRuns: 300 },
    );
  });
});

describe('prettyName', () => {
  it.each([
    ['W3', 'W3'],
    ['yhat', '\u0177'],
    ['yhat1', '\u01771'],
    ['sigma', 'σ'],
    ['L', 'L'],
    ['loss', 'loss'],
    ['hat', 'hat'],
    ['hk-1', 'h⁽ᵏ⁻¹⁾'],
    ['yhatk+1', 'ŷ⁽ᵏ⁺¹⁾'],
  ])('%s → %s', (key, pretty) => {
    expect(prettyName(key)).toBe(pretty);
  });
});

describe('latexName', () => {
  it.each([
    ['W3', 'W_{3}'],
    ['yhat', '\\hat{y}'],
    ['u1', 'u_{1}'],
    ['L', 'L'],
    ['sigma', '\\sigma'],
    ['loss', '\\mathrm{loss}'],
    ['W12', 'W_{12}'],
    ['a_b', '\\mathrm{a\\_b}'],
    ['hk-1', 'h^{(k-1)}'],
    ['Wl+1', 'W^{(l+1)}'],
  ])('%s → %s', (key, latex) => {
    expect(latexName(key)).toBe(latex);
  });
});

describe('round trips', () => {
  const keys = fc
    .tuple(
      fc.constantFrom('W', 'y', 'u', 'z', 'x', 'L', 'loss', 'sigma', 'alpha', 'Omega'),
      fc.boolean(),
      fc.constantFrom('', '1', '2', '3', '12', 'k-1', 'l+1'),
    )
    .map(([base, hat, index]) => `${base}${hat && base !== 'loss' ? 'hat' : ''}${index}`);

  it('prettyName and latexName spell the same key', () => {
    fc.assert(
      fc.property(keys, (key) => {
        expect(canonicalName(prettyName(key)).key).toBe(key);
        expect(canonicalName(latexName(key)).key).toBe(key);
      }),
      { numRuns: 200 },
    );
  });
});

describe('displayName and latexLabel', () => {
  it.each([
    ['W_1', 'W₁'], ['W_{12}', 'W₁₂'], ['W1', 'W₁'], ['u12', 'u₁₂'], ['W₁', 'W₁'], ['u_1', 'u₁'], ['ŷ_2', 'ŷ₂'], ['ŷ2', 'ŷ₂'], ['yhat', 'yhat'],
    ['ŷ₁', 'ŷ₁'], ['x_{ij}', 'xᵢⱼ'], ['x_{q}', 'x_q'], ['a⁽¹⁾', 'a⁽¹⁾'], ['h^(q)', 'h^(q)'], ['loss', 'loss'], ['x2y', 'x2y'], ['a1⁽²⁾', 'a₁⁽²⁾'],
  ])('%s is shown as %s', (label, shown) => {
    expect(displayName(label)).toBe(shown);
  });

  // One rule for ASCII and LaTeX input: Q3 given as `W1` showed `W1` while Q2 from `\boldsymbol{W}_1` showed `W₁`.
  it.each([['W1'], ['W_1'], ['W_{1}'], ['W₁']])('%s is shown W₁ and typeset W_{1}', (label) => {
    expect(displayName(label)).toBe('W₁');
    expect(latexLabel(label, canonicalName(label).key)).toBe('W_{1}');
  });

  it.each([
    ['a⁽¹⁾', 'a1', 'a^{(1)}'], ['W⁽¹²⁾', 'W12', 'W^{(12)}'], ['h⁽ᵏ⁻¹⁾', 'hk-1', 'h^{(k-1)}'], ['W^[1]', 'W1', 'W^{[1]}'],
    ['ŷ⁽²⁾', 'yhat2', '\\hat{y}^{(2)}'], ['W_1', 'W1', 'W_{1}'], ['yhat', 'yhat', '\\hat{y}'],
  ])('%s (key %s) is %s in LaTeX', (label, key, latex) => {
    expect(latexLabel(label, key)).toBe(latex);
  });
});

describe('sharedName', () => {
  it('is one frozen Name per spelling, with the key written out by hand', () => {
    const cases: [string, string][] = [['W3', 'W3'], ['W_{3}', 'W3'], ['ŷ', 'yhat'], ['\\hat{y}_1', 'yhat1'], ['σ', 'sigma'], ['a⁽¹⁾', 'a1'], ['h2b', 'h2b'], ['constructor', 'constructor']];
    for (const [text, key] of cases) {
      const name = sharedName(text);
      expect(name).toEqual({ key, text });
      expect(Object.isFrozen(name)).toBe(true);
      expect(sharedName(text)).toBe(name);
      // canonicalName gives a Name of its own each time, with the same key.
      expect(canonicalName(text)).toEqual(name);
      expect(canonicalName(text)).not.toBe(name);
    }
  });

  it('gives the same keys as canonicalName gave before a spelling was remembered, after the memory is emptied too', () => {
    fc.assert(
      fc.property(anyCodePoints, (text) => {
        const first = canonicalName(text).key;
        for (let i = 0; i < 10_001; i++) sharedName(`n${i}`);
        expect(sharedName(text).key).toBe(first);
      }),
      { numRuns: 5 },
    );
  });
});
