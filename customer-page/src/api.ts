/** The customer page's calls to /visit/api (same origin; the session is an HttpOnly cookie). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const brand = new URLSearchParams(location.search).get('brand');

export async function api<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  const url = new URL(`api/${path}`, location.href);
  if (brand) url.searchParams.set('brand', brand);
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    credentials: 'same-origin',
  });
  if (response.status === 204) return undefined as T;
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = (json as { error?: { code?: string; message?: string } }).error;
    throw new ApiError(response.status, error?.code ?? 'error', error?.message ?? response.statusText);
  }
  return json as T;
}

export type Names = { en: string; fr: string };
export interface Address {
  id: string; label: string; addressLine: string; postcode: string; city: string;
  latitude: number; longitude: number; correctedByCustomer: boolean; accessComment: string;
}
export interface Equipment { id: string; typeId: string; typeNames: Names; addressId: string; make: string; model: string; serialNumber: string }
export interface Contract { id: string; equipmentId: string; serviceId: string; task: string; nextDueOn: string }
export interface Me {
  brand: { id: string; name: string };
  customer: { name: string; email: string | null; locale: 'en' | 'fr'; timeZone: string };
  addresses: Address[];
  equipment: Equipment[];
  contracts: Contract[];
  equipmentTypes: { id: string; names: Names }[];
  canRegisterEquipment: boolean;
  arrivalWindowMinutes: number;
  tiles: { url: string; attribution: string };
}
export interface ServiceOption { id: string; names: Names; durationMinutes: number }
export interface Window { start: string; end: string }
