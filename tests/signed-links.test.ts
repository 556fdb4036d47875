import { randomUUID } from 'node:crypto';
import { claimedExpiry, createSignedLinks, previewLinks } from '../notifications/signed-links.ts';

const BASE = 'https://rdv.example';
const DAY = 86_400_000;

describe('signed links', () => {
  let current = new Date('2027-03-01T07:00:00Z');
  const links = createSignedLinks({ baseUrl: BASE, secret: 's'.repeat(40), now: () => current });
  const target = { id: randomUUID(), startAt: new Date('2027-03-02T09:00:00Z'), version: 3 };
  const tokenOf = (url: string) => /^https:\/\/rdv\.example\/a\/([^/]+)\/[^/]+$/.exec(url)![1]!;

  test('a link opens /a/<token>/<page> and its token gives back what it was made for', () => {
    const url = links.url('reschedule', target);
    expect(url).toMatch(/^https:\/\/rdv\.example\/a\/[\w-]+\.[\w-]+\/reschedule$/);
    expect(links.url('calendar', target)).toMatch(/\/invite\.ics$/);
    expect(links.verify(tokenOf(url))).toEqual({
      appointmentId: target.id, action: 'reschedule', version: 3, expiresAt: new Date(target.startAt.getTime() + 30 * DAY),
    });
  });

  test('a tampered, cut, oversized or expired token is refused; only the expiry it claims can be read', () => {
    const token = tokenOf(links.url('manage', target));
    const [payload, signature] = token.split('.') as [string, string];
    expect(links.verify(`${payload}.${signature.slice(1)}x`)).toBeNull();
    expect(links.verify(payload)).toBeNull();
    expect(links.verify(`${token}${'a'.repeat(600)}`)).toBeNull();
    expect(claimedExpiry(`${token}${'a'.repeat(600)}`)).toBeNull();
    expect(claimedExpiry('not-a-token')).toBeNull();
    const expires = target.startAt.getTime() + 30 * DAY;
    expect(claimedExpiry(`${payload}.forged`)).toBe(expires);
    current = new Date(expires);
    expect(links.verify(token)).toBeNull();
    expect(claimedExpiry(token)).toBe(expires);
  });

  test('preview links have the real shapes, carry no token and verify nothing', () => {
    const preview = previewLinks(BASE);
    expect(preview.url('manage', target)).toBe(`${BASE}/a/preview/manage`);
    expect(preview.url('calendar', target)).toBe(`${BASE}/a/preview/invite.ics`);
    expect(preview.verify('preview')).toBeNull();
  });
});
