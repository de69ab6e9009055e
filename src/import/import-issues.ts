/**
 * What stops a Bundle from being imported: each issue names the resource (`Type/id`, or `Bundle`)
 * and the element, so a tester can find it in the file. Every issue is collected before anything is
 * written; one issue rejects the whole import.
 */
export interface ImportIssue {
  /** `Type/id` of the resource at fault, or `Bundle`, or the command's own input (`NHS number`). */
  resource: string;
  /** The element path inside that resource, e.g. `code` or `dosageInstruction[0].text`. */
  element: string;
  message: string;
}

export class ImportIssues {
  readonly all: ImportIssue[] = [];
  /** The issues already listed, by key: a large bad Bundle has tens of thousands, so no scan of `all` per add. */
  private readonly seen = new Set<string>();

  add(resource: string, element: string, message: string): void {
    // JSON keeps the three parts apart whatever characters they hold.
    const key = JSON.stringify([resource, element, message]);
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.all.push({ resource, element, message });
  }

  get any(): boolean {
    return this.all.length > 0;
  }
}

/** The import was refused; `issues` lists every reason. Nothing was written. */
export class ImportRejected extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super(issues.map(describeIssue).join('\n'));
    this.name = 'ImportRejected';
  }
}

export function describeIssue(i: ImportIssue): string {
  return i.element ? `${i.resource} ${i.element}: ${i.message}` : `${i.resource}: ${i.message}`;
}
