/**
 * What text from outside may hold before it goes anywhere near the store. FHIR strings SHALL NOT
 * hold characters below U+0020 other than tab, CR and LF (FHIR datatypes, "string"), and they are
 * Unicode text, which an unpaired UTF-16 surrogate (a JSON "\ud800") is not. PostgreSQL refuses
 * both U+0000 and unpaired surrogates in text and jsonb, so without these checks a stray character
 * in a booking, a registration or an imported note would surface as a database error.
 */
const unacceptable = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const everyUnacceptable = new RegExp(unacceptable.source, 'g');

/** No FHIR resource nests anywhere near this deep; deeper bodies are refused before anything walks them recursively. */
export const maxNesting = 64;

/** Why `text` is not acceptable FHIR text, as the end of a sentence ("holds …"); undefined if it is. */
export function textProblem(text: string): string | undefined {
  const m = unacceptable.exec(text);
  if (!m) return undefined;
  const code = `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return m[0] >= '\ud800' ? `holds an unpaired surrogate (${code}), which is not Unicode text` : `holds the control character ${code}, which FHIR strings may not hold`;
}

/**
 * The first string (key or value) of a parsed FHIR body that is not acceptable text, or the first
 * place it nests deeper than `maxNesting`: where (a FHIRPath-like path, '' for the body itself)
 * and why. Walks with its own stack, so a hostile body cannot exhaust the call stack.
 */
export function bodyProblem(body: unknown): { path: string; problem: string } | undefined {
  const pending: [value: unknown, path: string, depth: number][] = [[body, '', 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) return { path: withUnacceptableReplaced(path), problem };
    } else if (value !== null && typeof value === 'object') {
      if (depth >= maxNesting) return { path, problem: `nests more than ${maxNesting} levels deep` };
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}[${i}]`, depth + 1]);
      } else {
        for (const key in value) {
          const at = path ? `${path}.${key}` : key;
          const problem = textProblem(key);
          // The path is echoed in diagnostics: it must not carry the character itself.
          if (problem) return { path: withUnacceptableReplaced(at), problem: `(the element name) ${problem}` };
          pending.push([(value as Record<string, unknown>)[key], at, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

/** `text` with every unacceptable character replaced by U+FFFD, for values kept as evidence (the audit trail). */
export function withUnacceptableReplaced(text: string): string {
  return unacceptable.test(text) ? text.replace(everyUnacceptable, '\ufffd') : text;
}
