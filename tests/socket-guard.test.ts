import { payloadProblem } from '../bot/socket-guard.ts';

const bounds = { maxBytes: 64 * 1024, maxDepth: 16 };

describe('socket payload bounds', () => {
  test('ordinary payloads pass, at the depth and size limits too', () => {
    expect(payloadProblem({ clientId: 'c-12345678', text: 'hello', value: { action: 'form', values: { name: 'Ada' } } }, bounds)).toBeNull();
    expect(payloadProblem(undefined, bounds)).toBeNull();
    let sixteen: unknown = 1;
    for (let i = 0; i < 16; i++) sixteen = [sixteen];
    expect(payloadProblem(sixteen, bounds)).toBeNull();
    expect(payloadProblem({ text: 'x'.repeat(60_000) }, bounds)).toBeNull();
  });

  test('a million levels of nesting are measured without recursion: too deep', () => {
    let deep: unknown = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    expect(payloadProblem(deep, bounds)).toBe('too_deep');
    let seventeen: unknown = 1;
    for (let i = 0; i < 17; i++) seventeen = { v: seventeen };
    expect(payloadProblem(seventeen, bounds)).toBe('too_deep');
  });

  test('size counts strings (UTF-8), keys, numbers and binary, and stops at the bound', () => {
    expect(payloadProblem({ text: 'é'.repeat(40_000) }, bounds)).toBe('too_large');
    expect(payloadProblem(new Array(20_000).fill(0), bounds)).toBe('too_large');
    expect(payloadProblem({ [`k${'x'.repeat(70_000)}`]: 1 }, bounds)).toBe('too_large');
    expect(payloadProblem({ file: Buffer.alloc(70_000) }, bounds)).toBe('too_large');
  });

  test('a NUL character in any string or key is refused (PostgreSQL cannot store it)', () => {
    expect(payloadProblem({ text: 'a\u0000b' }, bounds)).toBe('nul');
    expect(payloadProblem({ value: { values: { ['na\u0000me']: 'x' } } }, bounds)).toBe('nul');
    expect(payloadProblem(['ok', ['still ok', 'no\u0000']], bounds)).toBe('nul');
  });
});
