/** Whether `s` is a UUID as PostgreSQL writes one (checked before it reaches a uuid column, where it would be a 22P02). */
export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
