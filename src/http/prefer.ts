/** Spec (general API guidance): `Prefer: return=minimal` SHOULD be honoured with an empty body. */
export function wantsMinimalReturn(headers: Record<string, string | string[] | undefined>): boolean {
  const prefer = headers.prefer;
  const value = Array.isArray(prefer) ? prefer.join(',') : prefer ?? '';
  return /(^|[,;\s])return\s*=\s*minimal\b/i.test(value);
}
