/** The tile server, as a CSP source for images: its origin, with any one-letter subdomain ({s}.tile…) as a wildcard. */
export function tileImageSource(tileUrl: string): string {
  const tiles = new URL(tileUrl.replace(/[{}]/g, ''));
  return `${tiles.protocol}//${tiles.host.replace(/^[a-z]\./, '*.')}`;
}
