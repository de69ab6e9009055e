import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { fromFhirXml } from '../fhir/xml.ts';
import { migrate } from '../store/migrate.ts';
import { openDb } from '../store/open.ts';
import { describeIssue, ImportRejected } from './import-issues.ts';
import { importStructuredRecord } from './import-structured-record.ts';
import { summaryLines } from './summary-text.ts';

/**
 * `gpc import <ODS> <NHS number> <file>`: reads a structured record Bundle (FHIR JSON, or FHIR XML
 * when the file starts with `<`) and imports it. Prints the summary (exit 0), or every mapping
 * issue, one a line (exit 2). No stack traces, and nothing of the record itself is printed.
 */
export async function importCommand(config: Config, odsCode: string, nhsNumber: string, file: string): Promise<number> {
  let bundle: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    bundle = text.trimStart().startsWith('<') ? fromFhirXml(text) : JSON.parse(text);
  } catch (err) {
    console.error(`gpc: cannot read ${file}: ${(err as Error).message}`);
    return 2;
  }
  const db = await openDb(config);
  try {
    await migrate(db);
    const summary = await importStructuredRecord(db, odsCode, nhsNumber, bundle);
    for (const line of summaryLines(summary)) console.log(line);
    return 0;
  } catch (err) {
    if (!(err instanceof ImportRejected)) throw err;
    console.error(`gpc: nothing imported: ${err.issues.length} problem(s) in ${file}`);
    for (const issue of err.issues) console.error(`  ${describeIssue(issue)}`);
    return 2;
  } finally {
    await db.close();
  }
}
