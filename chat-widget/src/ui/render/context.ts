import type { OutgoingMessage } from '../../connector.ts';
import type { GeoPosition } from '../../geolocation.ts';
import type { Labels } from '../../i18n.ts';

/** What a render function may use besides its data: labels and the ways to answer. */
export interface RenderContext {
  t: Labels;
  send(message: OutgoingMessage): void;
  locate(): Promise<GeoPosition>;
  /** Unique per rendered item, for ids that tie labels and messages to inputs. */
  idPrefix: string;
  /** The visitor's time zone: slots in another zone say so. */
  timeZone: string | undefined;
  /** The chat server's origin, to resolve relative links and load the map bundle. */
  origin: string;
  /** The map's tiles for pin cards, as the server said (null: no map, the fields alone). */
  mapTiles(): { tileUrl: string; attribution: string } | null;
}
