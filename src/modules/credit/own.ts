// Look-ups in plain objects by a key that came from outside (a query, a body, a stored row): only
// the object's own keys count, so "constructor" or "__proto__" is unknown, never Object's.

export function own<V>(map: Readonly<Record<string, V>>, key: string): V | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}
