import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogue, decodeMessage, encodeMessage, type PublicMessage } from './index';

// Every public message has a fixture file `fixtures/<Type>.v<N>.json`:
//   valid:   whole messages that must decode unchanged;
//   invalid: edits of the first valid message (`set` / `unset` by dotted path) and the exact reasons expected.
interface InvalidCase {
  why: string;
  set?: Record<string, unknown>;
  unset?: string[];
  reasons: string[];
}
interface Fixture {
  valid: Record<string, unknown>[];
  invalid: InvalidCase[];
}

const dir = join(__dirname, 'fixtures');
const load = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;

function edit(message: Record<string, unknown>, c: InvalidCase): Record<string, unknown> {
  const copy = structuredClone(message);
  const walk = (path: string): [Record<string, unknown>, string] => {
    const keys = path.split('.');
    let at = copy;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
    return [at, keys[keys.length - 1]];
  };
  for (const [path, value] of Object.entries(c.set ?? {})) {
    const [parent, key] = walk(path);
    parent[key] = value;
  }
  for (const path of c.unset ?? []) {
    const [parent, key] = walk(path);
    if (!(key in parent)) throw new Error(`fixture "${c.why}" unsets ${path}, which the message lacks`);
    delete parent[key];
  }
  return copy;
}

describe('fixtures of every public message', () => {
  it('has one fixture file per catalogue entry and none for unknown messages', () => {
    const expected = catalogue.map((e) => `${e.type}.v${e.v}.json`).sort();
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).sort()).toEqual(expected);
  });

  describe.each(catalogue.map((e) => [`${e.type} v${e.v}`, e] as const))('%s', (_name, entry) => {
    const fixture = load(`${entry.type}.v${entry.v}.json`);

    it('has valid and invalid examples', () => {
      expect(fixture.valid.length).toBeGreaterThan(0);
      expect(fixture.invalid.length).toBeGreaterThan(0);
    });

    it.each(fixture.valid.map((m, i) => [i, m] as const))('valid example %i decodes unchanged and re-encodes', (_i, m) => {
      const result = decodeMessage(JSON.stringify(m));
      if (!result.ok) throw new Error(result.reason);
      expect(result.message).toEqual(m);
      expect(JSON.parse(encodeMessage(result.message))).toEqual(m);
    });

    it.each(fixture.invalid.map((c) => [c.why, c] as const))('rejects: %s', (_why, c) => {
      const result = decodeMessage(edit(fixture.valid[0], c));
      expect(result).toEqual({ ok: false, reason: `${entry.type} v${entry.v}: ${c.reasons.join('; ')}` });
    });
  });

  it('types every fixture as the union of public messages', () => {
    const decoded = decodeMessage(load('SendSms.v1.json').valid[0]);
    if (!decoded.ok) throw new Error(decoded.reason);
    const m: PublicMessage = decoded.message;
    // The discriminant narrows to the message's own data.
    expect(m.type === 'SendSms' ? m.data.recipient.defaultRegion : null).toBe('DE');
  });
});
