import type { ReadContext } from './clinical-rows.ts';
import { asArray, type Fhir } from './record-bundle.ts';

/**
 * DiagnosticReport and Specimen → diagnostic_report, diagnostic_report_item and specimen rows
 * (src/structured/investigations.ts in reverse). The report's code and category are fixed by the
 * builder and not stored; its specimens and results keep their order.
 */
export function readInvestigations(ctx: ReadContext): void {
  for (const d of ctx.bundle.ofType('DiagnosticReport')) {
    const r = ctx.bundle.reader(d);
    r.patient(d.subject, 'subject');
    ctx.rows.diagnosticReports.push({
      ...r.item(ctx.patientId),
      status: r.code(d.status, 'status', ['final', 'preliminary', 'unknown'] as const, true),
      issuedAt: r.instant(d.issued, 'issued', true),
      requestId: r.reference(asArray(d.basedOn)[0], 'basedOn[0]', ['ProcedureRequest']),
      performerOrganizationId: r.organization(asArray(d.performer)[0]?.actor, 'performer[0].actor'),
      conclusion: r.string(d.conclusion, 'conclusion'),
      encounterId: r.encounter(d.context, 'context'),
    });
    let position = 0;
    asArray(d.specimen).forEach((s: Fhir, i: number) => {
      const id = r.reference(s, `specimen[${i}]`, ['Specimen'], true);
      if (id) ctx.rows.diagnosticReportItems.push({ reportId: d.id, position: position++, itemType: 'Specimen', itemId: id });
    });
    asArray(d.result).forEach((o: Fhir, i: number) => {
      const id = r.reference(o, `result[${i}]`, ['Observation'], true);
      if (id) ctx.rows.diagnosticReportItems.push({ reportId: d.id, position: position++, itemType: 'Observation', itemId: id });
    });
  }
  for (const s of ctx.bundle.ofType('Specimen')) {
    const r = ctx.bundle.reader(s);
    r.patient(s.subject, 'subject');
    const notes = asArray(s.note).map((n: Fhir) => n?.text).filter((t): t is string => typeof t === 'string');
    const { confidential: _, ...item } = r.item(ctx.patientId);
    ctx.rows.specimens.push({
      ...item,
      status: r.code(s.status, 'status', ['available', 'unavailable', 'unsatisfactory', 'entered-in-error'] as const),
      type: r.coded(s.type, 'type', true),
      collectedAt: r.instant(s.collection?.collectedDateTime, 'collection.collectedDateTime'),
      receivedAt: r.instant(s.receivedTime, 'receivedTime'),
      note: notes.length > 0 ? notes.join('\n') : undefined,
    });
  }
}
