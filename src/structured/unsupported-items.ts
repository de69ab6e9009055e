/**
 * What stands in for a linked item of a type this provider never exports (structured digest
 * §18.5, §12, §13; spec problems and consultation guidance, "unsupported clinical items"): a
 * display-only reference, in a consultation's structure Lists (`entry.item.display`) and in a
 * Condition (`relatedClinicalContent` / `actualProblem` `valueReference.display`) alike.
 *
 * Access Record Structured 1.6 returns no DocumentReference here (Access Document is a separate
 * capability), so documents are the one such type. The wording is the spec examples' ("Referral
 * items are not supported by the provider system": no full stop), with the area's name.
 */
const unsupportedAreaOfType: Record<string, string> = {
  DocumentReference: 'Documents',
};

/** The display for a linked item of `type`, or undefined when the provider exports that type. */
export function unsupportedItemDisplay(type: string): string | undefined {
  const area = unsupportedAreaOfType[type];
  return area === undefined ? undefined : `${area} items are not supported by the provider system`;
}
