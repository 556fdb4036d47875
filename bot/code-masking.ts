/**
 * One-time codes are secrets until used: the transcript (console, replay, Join history) keeps a
 * mask in their place, while the bot's turn still gets what the customer sent.
 */
export const MASKED_CODE = '••••••';

/** Digits typed on their own (spaces and dashes as people type them): a code, or a typo of one. */
const DIGITS_ONLY = /^[\d\s-]*\d[\d\s-]*$/;

export interface CustomerMessage {
  text: string;
  value?: Record<string, unknown> | undefined;
}

/** The message as the transcript stores it; `codeAsked`: the bot's last message asked for a code. */
export function maskForTranscript(message: CustomerMessage, codeAsked: boolean): CustomerMessage {
  const { value } = message;
  const values = value?.['values'];
  if (value?.['action'] === 'form' && value['form'] === 'code') {
    const masked = typeof values === 'object' && values !== null ? { ...values, code: MASKED_CODE } : { code: MASKED_CODE };
    return { text: MASKED_CODE, value: { ...value, values: masked } };
  }
  if (codeAsked && DIGITS_ONLY.test(message.text.trim())) return { ...message, text: MASKED_CODE };
  return message;
}
