import type { Api } from './api.ts';
import type { Connector } from './connector.ts';
import type { ConsoleStore, Toast } from './store.ts';
import type { Route } from './router.ts';
import type { Role, Service, Session, StaffMember, WorkflowStatus } from './types.ts';

/** What every screen gets: the API, the store, the socket, and a few shell services. */
export interface AppContext {
  api: Api;
  store: ConsoleStore;
  connector: Connector;
  /** The signed-in user (screens behind sign-in only). */
  session(): Session;
  toast(kind: Toast['kind'], text: string): void;
  /** Says something through the live region (assertive for what needs attention now). */
  announce(text: string, assertive?: boolean): void;
  navigate(hash: string, replace?: boolean): void;
  /** Updates the document title of the current screen (detail screens know it once loaded). */
  setTitle(title: string): void;
  /** Signs in with the session the API returned (login screen). */
  signedIn(session: Session): void;
  /** Reference data, loaded once per session. */
  catalog: Catalog;
  /** Re-reads the badge counts of the navigation (open requests, open tasks). */
  refreshCounts(): void;
}

export interface Catalog {
  services(): Promise<Service[]>;
  /** The staff the user may see (managers and admins); [] for agents. */
  staff(): Promise<StaffMember[]>;
  /** Workflow statuses per service with a workflow (managers and admins); empty for agents. */
  workflows(): Promise<Map<string, WorkflowStatus[]>>;
  /** Forget everything (after a settings change). */
  invalidate(): void;
}

/** A mounted screen. */
export interface Screen {
  element: HTMLElement;
  title: string;
  /** Called when the route moves away. */
  destroy?(): void;
  /** An appointment was created or changed (live update). */
  onAppointmentChanged?(appointmentId: string): void;
  /** A customer left a message for the stores (live update). */
  onTaskCreated?(): void;
  /** The route changed within the same screen (tabs, filters): true when handled without a remount. */
  update?(route: Route): boolean;
}

export const isManager = (role: Role) => role === 'admin' || role === 'store_manager';
export const isAdmin = (role: Role) => role === 'admin';

/** Calls `fn` at most once per `ms`, with the last arguments, after the calls stop. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): ((...args: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = (...args: A) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}
