/** A fresh message id; the server processes a resend with the same id only once. */
export function newClientId(): string {
  const c = globalThis.crypto;
  // randomUUID exists only in secure contexts (https, localhost); brand sites on plain http still work.
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof c?.getRandomValues === 'function') c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
