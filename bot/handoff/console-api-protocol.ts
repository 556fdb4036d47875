/**
 * Shapes of the console JSON API (/console/api) that the server's repositories define, for the
 * console UI (agent-console/src/types.ts builds its reply types on them). Type-only: nothing of
 * models/ reaches the browser bundle.
 */
export type { Service as CatalogueService, Store as CatalogueStore } from '../../models/catalogue.repository.ts';
export type { AppointmentStatus, StatusKind } from '../../models/statuses.repository.ts';
