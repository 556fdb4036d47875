import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** Proxies whose X-Forwarded-For is believed: a reverse proxy on this machine (HTTP and sockets alike). */
export const TRUSTED_PROXIES = 'loopback';
const trusted = proxyaddr.compile(TRUSTED_PROXIES);

/** The client's address, as Express's `req.ip` gives it with the same trusted proxies. */
export const clientIp = (request: IncomingMessage): string => proxyaddr(request, trusted);
