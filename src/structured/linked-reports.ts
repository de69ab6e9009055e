import type { DiagnosticReport } from '../domain/clinical.ts';
import type { Resource } from '../fhir/datatypes.ts';
import { findPatientInvestigations, type PatientInvestigations } from '../store/clinical-investigations.ts';
import type { AreaContext } from './area.ts';
import { diagnosticReport, investigationObservation, specimen, testRequest } from './investigations.ts';

/**
 * The investigations that areas pulling in other areas' items (problems, consultations) link to:
 * an item that is an investigation — the report itself, one of its test group / result / filing
 * comment Observations, or its test request — is returned as its whole report (digest §9 "for an
 * investigation reference the DiagnosticReport"; §16: a problem whose actual problem is a result
 * names the report), with everything the report holds, so every reference resolves.
 */

/** The observations (has-member members and filing comments included), specimens and test request of one report. */
export interface ReportClosure {
  observations: Set<string>;
  specimens: Set<string>;
  requests: Set<string>;
}

/** A report to return, with what it holds. */
export interface HeldReport {
  report: DiagnosticReport;
  investigations: PatientInvestigations;
  closure: ReportClosure;
  /** A confidential element of the report (an observation, its test request) was left out. */
  partlyWithheld: boolean;
}

export interface ItemReports {
  /** The returned reports that hold an asked item, by report id, in issue order. */
  returned: Map<string, HeldReport>;
  /** The report each asked item belongs to (returned or withheld), by `Type/id` of the item. */
  reportOf: Map<string, string>;
  /** The reports holding an asked item that are withheld whole (confidential). */
  withheld: Set<string>;
}

/**
 * The reports holding the given items (report ids, investigation Observation ids, test request
 * ids). Confidential elements are left out unless the context includes them; a report is then
 * `partlyWithheld`, or in `withheld` when the report itself is confidential.
 */
export async function findItemReports(
  ctx: AreaContext,
  items: { reports: Iterable<string>; observations: Iterable<string>; requests: Iterable<string> },
): Promise<ItemReports> {
  const out: ItemReports = { returned: new Map(), reportOf: new Map(), withheld: new Set() };
  const reports = new Set(items.reports);
  const observations = new Set(items.observations);
  const requests = new Set(items.requests);
  if (reports.size === 0 && observations.size === 0 && requests.size === 0) return out;
  const { db, practice, patientId } = ctx;
  const includeConfidential = ctx.includeConfidential ?? false;
  // Everything (to find which report holds an item, confidential or not) and what may be returned.
  const [everything, returned] = await Promise.all([
    findPatientInvestigations(db, practice, patientId, { includeConfidential: true }),
    includeConfidential ? undefined : findPatientInvestigations(db, practice, patientId, { includeConfidential: false }),
  ]);
  const shared = returned ?? everything;
  const returnedReports = new Map(shared.reports.map((r) => [r.id, r]));
  for (const full of everything.reports) {
    const fullClosure = reportClosure(everything, full.id);
    const held: string[] = [];
    if (reports.has(full.id)) held.push(`DiagnosticReport/${full.id}`);
    if (full.requestId !== undefined && requests.has(full.requestId)) held.push(`ProcedureRequest/${full.requestId}`);
    for (const id of fullClosure.observations) if (observations.has(id)) held.push(`Observation/${id}`);
    if (held.length === 0) continue;
    for (const key of held) out.reportOf.set(key, full.id);
    const report = returnedReports.get(full.id);
    if (!report) {
      out.withheld.add(full.id);
      continue;
    }
    const closure = reportClosure(shared, report.id);
    const partlyWithheld = closure.observations.size < fullClosure.observations.size || closure.requests.size < fullClosure.requests.size;
    out.returned.set(report.id, { report, investigations: shared, closure, partlyWithheld });
  }
  return out;
}

/** The observations (has-member members and filing comments included), specimens and test request of one report. */
export function reportClosure(found: PatientInvestigations, reportId: string): ReportClosure {
  const report = found.reports.find((r) => r.id === reportId);
  const closure: ReportClosure = { observations: new Set(), specimens: new Set(), requests: new Set() };
  if (!report) return closure;
  const byId = new Map(found.observations.map((o) => [o.id, o]));
  let pending = [...report.resultIds];
  while (pending.length > 0) {
    const next: string[] = [];
    for (const id of pending) {
      if (closure.observations.has(id) || !byId.has(id)) continue;
      closure.observations.add(id);
      for (const r of byId.get(id)!.related) if (r.type === 'has-member') next.push(r.targetId);
    }
    // Filing comments (and results) derived from what is in.
    for (const o of found.observations) {
      if (!closure.observations.has(o.id) && o.related.some((r) => r.type === 'derived-from' && closure.observations.has(r.targetId))) next.push(o.id);
    }
    pending = next.filter((id) => !closure.observations.has(id));
  }
  for (const id of report.specimenIds) closure.specimens.add(id);
  for (const id of closure.observations) {
    const s = byId.get(id)?.specimenId;
    if (s && found.specimens.some((x) => x.id === s)) closure.specimens.add(s);
  }
  if (report.requestId) closure.requests.add(report.requestId);
  return closure;
}

/**
 * The resources of the given reports, once each: DiagnosticReport, test request, specimens and
 * observations, with their consultation (context) — the caller removes it when that Encounter is
 * not returned.
 */
export function reportResources(reports: Iterable<HeldReport>, patientId: string): Resource[] {
  const held = [...reports];
  const observationIds = new Set(held.flatMap(({ closure }) => [...closure.observations]));
  const added = new Set<string>();
  const resources: Resource[] = [];
  const push = (r: Resource) => {
    const key = `${String(r.resourceType)}/${String(r.id)}`;
    if (!added.has(key)) {
      added.add(key);
      resources.push(r);
    }
  };
  for (const { report, investigations, closure } of held) {
    push(diagnosticReport(report, patientId, { withContext: true }));
    for (const p of investigations.requests) if (closure.requests.has(p.id)) push(testRequest(p, patientId));
    for (const s of investigations.specimens) if (closure.specimens.has(s.id)) push(specimen(s, patientId));
    for (const o of investigations.observations) {
      if (closure.observations.has(o.id)) push(investigationObservation(o, patientId, observationIds, { withContext: true }));
    }
  }
  return resources;
}
