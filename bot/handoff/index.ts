/**
 * Live-agent hand-off: routing between the customer's web chat (/chat) and agents in the console
 * (/console). Wiring: build one HandoffRouter, pass it to attachWebChat (deps.handoff) and to
 * attachConsoleSocket, hand `router.consoleNotifier.appointmentChanged` to the console API's
 * onChange, and the router (a PersonRequester, dialogs/turn-scope.ts) to the bot.
 */
export {
  HandoffRouter, HandoffError, consoleRooms,
  type HandoffRouterOptions, type ConsoleNotifier, type ChatBinding, type Agent, type JoinOpened, type CustomerRoute,
} from './handoff-router.ts';
export { attachConsoleSocket, type ConsoleSocketDeps } from './console.socket.ts';
export { PresenceTracker, onlineOf, statusOf, type Presence, type PresenceChange } from './presence.ts';
export { RedisPresence } from './redis-presence.ts';
export * from './console-protocol.ts';
