import { SendSms } from '@dailydesk/contracts';
import { SendSmsBuilder } from './send-sms.builder';
import type { RunInProgress } from '../campaign/campaign.decider';

const run: RunInProgress = {
  runId: 'cmp-1.2026-03-10',
  occurrence: '2026-03-10',
  scheduledAt: '2026-03-10T09:00',
  template: 'Hi {{firstName}} {{lastName}}, {{businessName}} has 20% off',
  audience: {},
  business: { timeZone: 'Europe/Berlin', name: 'Salon Nord', country: 'DE' },
};

describe('SendSmsBuilder', () => {
  const builder = new SendSmsBuilder(run, 'biz-1', 12);
  it('builds a SendSms that satisfies the contract, with run + customer as its id', () => {
    const sms = builder.build({ customerId: 'cus-7', firstName: 'Ana', lastName: null, phone: '+491712345678' }, '2026-03-10T08:00:05.000Z')!;
    expect(SendSms.parse(sms)).toEqual(sms);
    expect(sms.id).toBe('cmp:cmp-1.2026-03-10:cus-7');
    expect(sms.data).toMatchObject({
      messageId: sms.id,
      text: 'Hi Ana , Salon Nord has 20% off',
      purpose: 'campaign',
      priority: 'bulk',
      expiresAt: '2026-03-10T20:00:00.000Z',
      refs: { campaignId: 'cmp-1', campaignRunId: 'cmp-1.2026-03-10', customerId: 'cus-7' },
    });
  });
  it('skips a recipient whose rendered text would exceed 1530 characters', () => {
    expect(builder.build({ customerId: 'c', firstName: 'x'.repeat(1600), lastName: null, phone: '+491712345678' }, '2026-03-10T08:00:05.000Z')).toBeNull();
  });
});
