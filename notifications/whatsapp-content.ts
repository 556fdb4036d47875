/**
 * What a WhatsApp message carries besides its text, sent through Twilio's Content API: interactive
 * content made on the fly (allowed inside the 24-hour customer-service window) or a brand's
 * approved template (the only thing allowed outside it), by Content SID with its variables.
 */
export type WhatsAppContent =
  | { type: 'twilio/quick-reply'; body: string; actions: { id: string; title: string }[] }
  | { type: 'twilio/list-picker'; body: string; button: string; items: { id: string; item: string; description?: string }[] }
  | { type: 'template'; contentSid: string; variables: Record<string, string> };

/** WhatsApp's customer-service window: free-form messages only this long after the customer last wrote. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
