/**
 * Live-agent hand-off: routing between the customer's web chat (/chat) and agents in the console
 * (/console). Wiring: build one HandoffRouter, pass it to attachWebChat (deps.handoff) and to
 * attachConsoleSocket, hand `router.consoleNotifier.appointmentChanged` to the console API's
 * onChange, and the router (a PersonRequester, dialogs/turn-scope.ts) to the bot. Several instances:
 * give it a RedisPresence and durable grace timers (server/composition.ts).
 */
export { HandoffRouter, type HandoffRouterOptions, type ConsoleNotifier } from './handoff-router.ts';
export { HandoffError, type Agent } from './agent-sessions.ts';
export { consoleRooms } from './console-rooms.ts';
export type { ChatBinding } from './fan-out.ts';
export type { JoinOpened } from './join-links.ts';
export type { CustomerRoute } from './customer-routing.ts';
export { attachConsoleSocket, type ConsoleSocketDeps } from './console.socket.ts';
export { PresenceTracker, onlineOf, statusOf, type Presence, type PresenceChange } from './presence.ts';
export { RedisPresence } from './redis-presence.ts';
export * from './console-protocol.ts';
