import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ContractViolationError, createRegistry, decodeMessage, defineMessage, encodeMessage, olderVersion } from './index';

// A test-local message that went through two breaking changes, to prove the upcasting machinery; no public
// message has needed a v2 yet. v1 had one `name`; v2 split it; v3 added the required `channel`.
const GuestV1 = defineMessage('ExampleGuestRegistered', 1, z.object({ guestId: z.string(), name: z.string().min(1) }), 'business');
const GuestV2 = defineMessage(
  'ExampleGuestRegistered',
  2,
  z.object({ guestId: z.string(), firstName: z.string().min(1), lastName: z.string().min(1).optional() }),
  'business',
);
const GuestV3 = defineMessage(
  'ExampleGuestRegistered',
  3,
  GuestV2.shape.data.extend({ channel: z.enum(['online', 'staff']) }),
  'business',
);
type GuestV3 = z.infer<typeof GuestV3>;

const v1ToV2 = (m: z.infer<typeof GuestV1>) => {
  const [firstName, ...rest] = m.data.name.split(/\s+/);
  return { ...m, v: 2, data: { guestId: m.data.guestId, firstName, ...(rest.length ? { lastName: rest.join(' ') } : {}) } };
};
// Before v3 every guest was registered by staff.
const v2ToV3 = (m: z.infer<typeof GuestV2>) => ({ ...m, v: 3, data: { ...m.data, channel: 'staff' } });

const registry = createRegistry<GuestV3>([
  { type: 'ExampleGuestRegistered', v: 3, schema: GuestV3, older: [olderVersion(1, GuestV1, v1ToV2), olderVersion(2, GuestV2, v2ToV3)] },
]);

const oldJson = readFileSync(join(__dirname, 'fixtures/upcasting/ExampleGuestRegistered.v1.json'));

describe('registry: upcasting older versions', () => {
  it('decodes a frozen v1 JSON fixture into the current v3', () => {
    expect(registry.decode(oldJson)).toEqual({
      ok: true,
      upcastFrom: 1,
      message: {
        id: 'evt-guest-1',
        type: 'ExampleGuestRegistered',
        v: 3,
        occurredAt: '2025-06-01T10:00:00+02:00',
        businessId: 'biz-salon-1',
        correlationId: 'corr-guest-1',
        causationId: null,
        data: { guestId: 'g-1', firstName: 'Mia', lastName: 'Kraus-Weber', channel: 'staff' },
      },
    });
  });

  it('decodes a v2 through the last upcaster only, and the current version without any', () => {
    const v2 = { ...JSON.parse(oldJson.toString()), v: 2, data: { guestId: 'g-2', firstName: 'Jon' } };
    const decoded = registry.decode(v2);
    expect(decoded).toMatchObject({ ok: true, upcastFrom: 2, message: { v: 3, data: { guestId: 'g-2', firstName: 'Jon', channel: 'staff' } } });
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(registry.decode(decoded.message)).toEqual({ ok: true, message: decoded.message });
  });

  it('validates the old version against its frozen schema before upcasting', () => {
    const bad = { ...JSON.parse(oldJson.toString()), data: { guestId: 'g-1', name: '' } };
    expect(registry.decode(bad)).toEqual({ ok: false, reason: 'ExampleGuestRegistered v1: data.name: Too small: expected string to have >=1 characters' });
  });

  it('names the upcaster when its output breaks the current schema', () => {
    const broken = createRegistry([
      { type: 'ExampleGuestRegistered', v: 2, schema: GuestV2, older: [olderVersion(1, GuestV1, (m) => ({ ...m, v: 2 }))] },
    ]);
    expect(broken.decode(oldJson)).toEqual({
      ok: false,
      reason: 'ExampleGuestRegistered v1 upcast to v2: data.firstName: is required',
    });
  });

  it('refuses versions it has no schema for', () => {
    const noOld = createRegistry([{ type: 'ExampleGuestRegistered', v: 3, schema: GuestV3, older: [olderVersion(2, GuestV2, v2ToV3)] }]);
    expect(noOld.decode(oldJson)).toEqual({ ok: false, reason: 'ExampleGuestRegistered v1 is not supported (oldest known is v2)' });
    const v4 = { ...JSON.parse(oldJson.toString()), v: 4 };
    expect(registry.decode(v4)).toEqual({ ok: false, reason: 'ExampleGuestRegistered v4 is newer than the v3 this build knows' });
  });

  it('rejects registries with duplicate types or gaps between older versions', () => {
    const entry = { type: 'ExampleGuestRegistered', v: 3, schema: GuestV3 };
    expect(() => createRegistry([entry, entry])).toThrow('registered twice');
    expect(() => createRegistry([{ ...entry, older: [olderVersion(1, GuestV1, v1ToV2)] }])).toThrow('contiguous below v3');
  });
});

const tick = {
  id: 'tick:campaigns:2026-11-29T10:00:00Z',
  type: 'SchedulerTicked',
  v: 1,
  occurredAt: '2026-11-29T10:00:00.250Z',
  businessId: null,
  correlationId: 'tick:campaigns:2026-11-29T10:00:00Z',
  causationId: null,
  data: { schedule: 'campaigns', slotAt: '2026-11-29T10:00:00Z', previousSlotAt: '2026-11-29T09:45:00Z', periodSeconds: 900, caughtUp: false, missedSlots: 0, trigger: 'clock' },
} as const;

describe('decodeMessage / encodeMessage on the public catalogue', () => {
  it('accepts bytes, JSON text and parsed values alike', () => {
    const text = JSON.stringify(tick);
    for (const input of [new TextEncoder().encode(text), text, JSON.parse(text)]) {
      expect(decodeMessage(input)).toEqual({ ok: true, message: tick });
    }
  });

  it('drops unknown keys (a newer producer may add optional fields) instead of failing', () => {
    const newer = { ...tick, data: { ...tick.data, addedLater: 1 }, extra: true };
    expect(decodeMessage(newer)).toEqual({ ok: true, message: tick });
  });

  it.each([
    [new Uint8Array([0xff, 0xfe, 0x00]), 'body is not valid UTF-8'],
    ['{"type": "SmsSent", phone +4917123456789', 'body is not valid JSON'],
    ['[1,2]', 'message is not a JSON object'],
    [null, 'message is not a JSON object'],
    [{ v: 1 }, 'type: missing or not a string'],
    [{ type: 'AppointmentMoved', v: 1 }, 'unknown message type "AppointmentMoved"'],
    [{ type: '+4917123456789', v: 1 }, 'unknown message type (not a type name)'],
    [{ type: 'SchedulerTicked' }, 'SchedulerTicked: v: missing or not a positive integer'],
    [{ type: 'SchedulerTicked', v: '1' }, 'SchedulerTicked: v: missing or not a positive integer'],
    [{ type: 'SchedulerTicked', v: 2 }, 'SchedulerTicked v2 is newer than the v1 this build knows'],
  ])('rejects %j: %s', (input, reason) => {
    expect(decodeMessage(input)).toEqual({ ok: false, reason });
  });

  it('never echoes personal data from the input in a reason', () => {
    const phone = '+4915550001234';
    const msg = { ...tick, type: 'SmsSent', businessId: 'b', data: { to: `${phone}x`, messageId: phone, text: phone, port: phone } };
    const r = decodeMessage(JSON.stringify(msg));
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('15550001234');
  });

  it('encodes a valid message to its JSON text and refuses an invalid one with the reason', () => {
    expect(JSON.parse(encodeMessage(tick))).toEqual(tick);
    const bad = { ...tick, data: { ...tick.data, slotAt: '2026-11-29T11:00:00+01:00' } };
    expect(() => encodeMessage(bad)).toThrow(ContractViolationError);
    expect(() => encodeMessage(bad)).toThrow(
      'SchedulerTicked v1: data.slotAt: must be an ISO 8601 UTC instant ending in Z, e.g. 2026-11-29T12:00:00Z',
    );
  });
});
