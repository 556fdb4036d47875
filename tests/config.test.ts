import { loadConfig } from '../server/config.ts';

describe('delivery timing settings', () => {
  test('default to a 15 s provider call and reminders dispatched every 30 s', () => {
    const config = loadConfig({});
    expect(config.PROVIDER_TIMEOUT_SECONDS).toBe(15);
    expect(config.REMINDER_DISPATCH_SECONDS).toBe(30);
  });

  test('take whole seconds in range', () => {
    const config = loadConfig({ PROVIDER_TIMEOUT_SECONDS: '5', REMINDER_DISPATCH_SECONDS: '3' });
    expect(config.PROVIDER_TIMEOUT_SECONDS).toBe(5);
    expect(config.REMINDER_DISPATCH_SECONDS).toBe(3);
  });

  test.each([
    ['PROVIDER_TIMEOUT_SECONDS', '46'], ['PROVIDER_TIMEOUT_SECONDS', '0'], ['PROVIDER_TIMEOUT_SECONDS', 'soon'],
    ['REMINDER_DISPATCH_SECONDS', '0'], ['REMINDER_DISPATCH_SECONDS', '601'], ['REMINDER_DISPATCH_SECONDS', '2.5'],
  ])('refuse %s=%s, naming the setting', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });
});
