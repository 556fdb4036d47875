import type { Database } from '../models/database.ts';
import { errors } from '../models/errors.ts';
import {
  listBrandNumbers, parsePhoneAddress, phoneAddress, replaceBrandNumbers, type PhoneChannel,
} from '../models/phone-channels.repository.ts';

/** One of the brand's Twilio numbers and the channels customers reach the chat on through it. */
export interface BrandPhoneNumber {
  phone: string;
  sms: boolean;
  whatsapp: boolean;
}

/** The brand's numbers, one entry per phone, in the order they were added. */
export async function brandPhoneNumbers(db: Database, brandId: string): Promise<BrandPhoneNumber[]> {
  const numbers = new Map<string, BrandPhoneNumber>();
  for (const address of await listBrandNumbers(db, brandId)) {
    const parsed = parsePhoneAddress(address);
    if (!parsed) continue;
    const entry = numbers.get(parsed.phone) ?? { phone: parsed.phone, sms: false, whatsapp: false };
    entry[parsed.channel] = true;
    numbers.set(parsed.phone, entry);
  }
  return [...numbers.values()];
}

/**
 * Replaces the brand's numbers (what inbound SMS and WhatsApp messages find their brand by). A
 * number another brand answers on is refused, naming its row; nothing changes then.
 */
export async function setBrandPhoneNumbers(db: Database, brandId: string, numbers: readonly BrandPhoneNumber[]): Promise<BrandPhoneNumber[]> {
  const rowOf = new Map<string, number>();
  const addresses = numbers.flatMap((n, i) => (['sms', 'whatsapp'] as PhoneChannel[]).filter((c) => n[c]).map((c) => {
    const address = phoneAddress(c, n.phone);
    rowOf.set(address, i);
    return address;
  }));
  await db.transaction(async (tx) => {
    const { takenElsewhere } = await replaceBrandNumbers(tx, brandId, addresses);
    const [first] = takenElsewhere;
    if (first !== undefined) throw errors.numberTaken(`numbers.${rowOf.get(first)}.phone`, parsePhoneAddress(first)!.phone);
  });
  return brandPhoneNumbers(db, brandId);
}
