import { participantTypes } from '../structured/consultations.ts';
import { problemExtensions } from '../structured/problems.ts';
import { structuredCodeSystems } from '../structured/fhir-urls.ts';
import type { ReadContext } from './clinical-rows.ts';
import { endedAllergyTerm } from './allergies.ts';
import { asArray, extensionsOf, extensionOf, isObject, parseReference, type Fhir } from './record-bundle.ts';

/** The SNOMED codes of the consultation-structure Lists (src/structured/consultations.ts). */
const structureKinds: Record<string, 'consultation' | 'topic' | 'heading'> = {
  '325851000000107': 'consultation',
  '25851000000105': 'topic',
  '24781000000107': 'heading',
};

/** What a topic or heading may hold (consultation_item.item_type). */
const itemTypes = [
  'AllergyIntolerance', 'MedicationRequest', 'Immunization', 'Observation', 'DiagnosticReport', 'ReferralRequest',
  'ProcedureRequest', 'DocumentReference',
] as const;

const endedAllergyPrefix = 'Ended allergy: ';

/**
 * Encounter and the consultation-structure Lists → encounter, consultation_section and
 * consultation_item rows. The consultation List's entries are its topics; a topic's entries are
 * its headings (`List/…`) and its own items; a heading's entries are items. A topic's
 * relatedProblemHeader targets: the first is the topic's problem, further ones (the builder adds
 * its headings' problems) go back to its headings in order. Display-only entries: an ended allergy
 * ("Ended allergy: <term>") is found again by its term among the ended allergies when exactly one
 * matches; other placeholders (items the export did not support) cannot be kept.
 *
 * Returns, for each item a consultation holds, the consultation's id (items whose own context the
 * export dropped get it back).
 */
export function readConsultations(ctx: ReadContext): Map<string, string> {
  const encounterOfItem = new Map<string, string>();
  const lists = new Map(ctx.bundle.structureLists.map((l) => [l.id as string, l]));
  const kindOf = (l: Fhir) => structureKinds[asArray(l.code?.coding).find((c: Fhir) => c?.system === structuredCodeSystems.snomed)?.code];
  const recordedAt = new Map<string, string>();
  const claimed = new Set<string>();

  for (const list of ctx.bundle.structureLists) {
    const r = ctx.bundle.reader(list);
    const kind = kindOf(list);
    if (!kind) {
      r.problem('code', 'is not a consultation, topic or heading List (the store holds no other List with an id)');
      continue;
    }
    r.patient(list.subject, 'subject');
    const encounterId = r.reference(list.encounter, 'encounter', ['Encounter'], true);
    if (encounterId && typeof list.date === 'string' && !recordedAt.has(encounterId)) recordedAt.set(encounterId, list.date);
    if (kind !== 'consultation') continue;
    ctx.rows.consultationSections.push({ id: list.id, encounterId, kind, position: 0, title: r.string(list.title, 'title') });
    asArray(list.entry).forEach((entry: Fhir, t: number) => {
      const topic = childList(ctx, list, entry, `entry[${t}].item`, 'topic', lists, kindOf, claimed);
      if (!topic) return;
      const topicReader = ctx.bundle.reader(topic);
      const problems = extensionsOf(topic, problemExtensions.relatedProblemHeader)
        .map((e, i) => topicReader.reference(extensionOf(e, 'target')?.valueReference, `extension[${i}].target`, ['Condition']))
        .filter((id): id is string => id !== undefined);
      ctx.rows.consultationSections.push({
        id: topic.id, encounterId, kind: 'topic', parentId: list.id, position: t, title: topicReader.string(topic.title, 'title'),
        relatedProblemId: problems[0],
      });
      const items: Fhir[] = [];
      let headings = 0;
      asArray(topic.entry).forEach((e: Fhir, h: number) => {
        if (parseReference(e?.item)?.type !== 'List') {
          items.push(e);
          return;
        }
        const heading = childList(ctx, topic, e, `entry[${h}].item`, 'heading', lists, kindOf, claimed);
        if (!heading) return;
        ctx.rows.consultationSections.push({
          id: heading.id, encounterId, kind: 'heading', parentId: topic.id, position: h,
          title: ctx.bundle.reader(heading).string(heading.title, 'title'), relatedProblemId: problems[1 + headings],
        });
        headings++;
        readItems(ctx, heading, asArray(heading.entry), encounterId, encounterOfItem);
      });
      if (problems.length > 1 + headings) ctx.notes.push(`List/${topic.id}: ${problems.length - 1 - headings} related problem(s) beyond its headings were not kept`);
      readItems(ctx, topic, items, encounterId, encounterOfItem);
    });
  }

  for (const e of ctx.bundle.ofType('Encounter')) {
    const r = ctx.bundle.reader(e);
    r.patient(e.subject, 'subject');
    const participant = (code: string) => asArray(e.participant).findIndex((p: Fhir) => asArray(p?.type).some((t: Fhir) => asArray(t?.coding).some((c: Fhir) => c?.code === code)));
    const recorder = participant(participantTypes.recorder.code);
    const performer = participant(participantTypes.primaryPerformer.code);
    const start = r.instant(e.period?.start, 'period.start', true);
    const end = r.instant(e.period?.end, 'period.end');
    if (recorder < 0) r.missing(`participant(${participantTypes.recorder.code})`);
    ctx.rows.encounters.push({
      ...r.item(ctx.patientId),
      status: r.code(e.status, 'status', ['finished', 'unknown'] as const, true),
      type: r.coded(asArray(e.type)[0], 'type[0]', true),
      startAt: start,
      endAt: end,
      recorderId: recorder >= 0 ? r.practitioner(e.participant[recorder].individual, `participant[${recorder}].individual`, true) : undefined,
      performerId: performer >= 0 ? r.practitioner(e.participant[performer].individual, `participant[${performer}].individual`) : undefined,
      locationId: r.reference(asArray(e.location)[0]?.location, 'location[0].location', ['Location']),
      serviceProviderId: r.organization(e.serviceProvider, 'serviceProvider'),
      // The structure Lists' date is the consultation's last-modified time; without them, its end (else start).
      recordedAt: recordedAt.get(e.id) ?? end ?? start,
    });
  }
  return encounterOfItem;
}

/** The List an entry of `parent` names, which must be a structure List of `kind`. */
function childList(
  ctx: ReadContext, parent: Fhir, entry: Fhir, element: string, kind: string,
  lists: Map<string, Fhir>, kindOf: (l: Fhir) => string | undefined, claimed: Set<string>,
): Fhir | undefined {
  const id = ctx.bundle.reader(parent).reference(entry?.item, element, ['List'], true);
  if (!id) return undefined;
  const list = lists.get(id);
  if (!list || kindOf(list) !== kind) {
    ctx.bundle.reader(parent).problem(element, `List/${id} is not a ${kind} List`);
    return undefined;
  }
  // A topic or heading belongs to one place in one consultation: it is stored as one section row.
  if (claimed.has(id)) {
    ctx.bundle.reader(parent).problem(element, `List/${id} is already part of a consultation`);
    return undefined;
  }
  claimed.add(id);
  return list;
}

function readItems(ctx: ReadContext, section: Fhir, entries: Fhir[], encounterId: string | undefined, encounterOfItem: Map<string, string>): void {
  const r = ctx.bundle.reader(section);
  let position = 0;
  entries.forEach((entry: Fhir) => {
    const index = asArray(section.entry).indexOf(entry);
    const element = `entry[${index}].item`;
    const item = entry?.item;
    let type: string | undefined;
    let id: string | undefined;
    if (isObject(item) && item.reference === undefined && typeof item.display === 'string') {
      if (item.display.startsWith(endedAllergyPrefix)) {
        const term = item.display.slice(endedAllergyPrefix.length);
        const matches = [...ctx.bundle.containedAllergies.values()].filter((a) => endedAllergyTerm(a) === term);
        if (matches.length === 1) [type, id] = ['AllergyIntolerance', matches[0]!.id as string];
      }
      if (!id) {
        // The display text is clinical content: the note names the entry only.
        ctx.notes.push(`List/${section.id as string} ${element}: a display-only entry was not kept`);
        return;
      }
    } else {
      const ref = parseReference(item);
      if (ref?.type === 'MedicationStatement') {
        // Another supplier's consultation may name the statement: the store keeps its plan.
        const statement = r.reference(item, element, ['MedicationStatement']);
        const plan = statement ? parseReference(asArray(ctx.bundle.byKey.get(`MedicationStatement/${statement}`)?.basedOn)[0]) : undefined;
        if (plan) [type, id] = ['MedicationRequest', plan.id];
      } else {
        id = r.reference(item, element, itemTypes, true);
        type = ref?.type;
      }
    }
    if (!type || !id) return;
    ctx.rows.consultationItems.push({ sectionId: section.id, position: position++, itemType: type, itemId: id });
    if (encounterId) encounterOfItem.set(`${type}/${id}`, encounterId);
  });
}
