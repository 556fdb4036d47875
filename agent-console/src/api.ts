/**
 * The console API client: JSON in and out, the session cookie sent by the browser, the session's
 * CSRF token as X-CSRF-Token on every state change, errors as ApiError (code, message, field).
 */

export const API_BASE = '/console/api';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface Api {
  get<T>(path: string, query?: Query): Promise<T>;
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  delete<T>(path: string): Promise<T>;
  setCsrfToken(token: string | null): void;
}

export interface ApiOptions {
  base?: string;
  /** Told when a request comes back 401 (the session ended): the app shows the sign-in page. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

/** `?a=1&b=x` from the defined values, '' when none. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export function createApi(options: ApiOptions = {}): Api {
  const base = options.base ?? API_BASE;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => window.fetch(input, init));
  let csrfToken: string | null = null;

  async function request<T>(method: string, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...extraHeaders };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
    let res: Response;
    try {
      res = await doFetch(base + path, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: string; message?: string; field?: string; details?: Record<string, unknown> } } | null)?.error;
      const problem = new ApiError(
        res.status,
        error?.code ?? `http_${res.status}`,
        error?.message ?? `The server answered ${res.status}.`,
        error?.field,
        error?.details,
      );
      // Sign-in itself answers 401 for a wrong password: that is not a lost session.
      if (res.status === 401 && problem.code === 'unauthorized') options.onUnauthorized?.();
      throw problem;
    }
    return json as T;
  }

  return {
    get: (path, query) => request('GET', path + queryString(query)),
    post: (path, body = {}, headers) => request('POST', path, body, headers),
    put: (path, body) => request('PUT', path, body),
    patch: (path, body) => request('PATCH', path, body),
    delete: (path) => request('DELETE', path),
    setCsrfToken(token) {
      csrfToken = token;
    },
  };
}

/** What to tell a person about a failed request. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong. Please try again.';
}
