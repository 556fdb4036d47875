/**
 * Web storage that never throws: Safari private mode, blocked third-party storage and full quotas make
 * localStorage throw, in which case values live in memory for the life of the page.
 */
export interface SafeStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function safeStorage(pick: () => Storage): SafeStorage {
  const memory = new Map<string, string>();
  let backend: Storage | null;
  try {
    backend = pick();
    const probe = '__rdv_probe__';
    backend.setItem(probe, probe);
    backend.removeItem(probe);
  } catch {
    backend = null;
  }
  return {
    get(key) {
      try {
        return backend ? backend.getItem(key) : memory.get(key) ?? null;
      } catch {
        return memory.get(key) ?? null;
      }
    },
    set(key, value) {
      memory.set(key, value);
      try {
        backend?.setItem(key, value);
      } catch {
        backend = null;
      }
    },
    remove(key) {
      memory.delete(key);
      try {
        backend?.removeItem(key);
      } catch {
        backend = null;
      }
    },
  };
}
