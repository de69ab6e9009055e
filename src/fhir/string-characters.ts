/**
 * FHIR strings SHALL NOT hold characters below U+0020 other than tab, CR and LF (FHIR datatypes,
 * "string"). Checked on whatever reaches the store from outside: PostgreSQL cannot hold U+0000 in
 * text or jsonb at all, so without this a stray NUL in a booking comment or an imported note
 * would surface as a database error instead of a clear answer.
 */
const forbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

/** Where in `value` (a parsed FHIR body) the first string holding a forbidden character is, with that character; undefined if none. */
export function forbiddenCharacter(value: unknown, path = ''): { path: string; character: string } | undefined {
  if (typeof value === 'string') {
    const m = forbidden.exec(value);
    return m ? { path, character: `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = forbiddenCharacter(value[i], `${path}[${i}]`);
      if (found) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key in value) {
      // A key is a string too (a JSON body may spell any).
      const found = forbiddenCharacter(key, path) ?? forbiddenCharacter((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/** `text` with every character FHIR strings may not hold replaced by U+FFFD, for values stored as evidence (the audit trail). */
export function withForbiddenCharactersReplaced(text: string): string {
  return forbidden.test(text) ? text.replace(new RegExp(forbidden.source, 'g'), '\uFFFD') : text;
}
