import {
  areaDisabledText, structuredAreaLabels, structuredAreaParameters, structuredAreas, type StructuredArea,
} from '../domain/structured-areas.ts';
import { findItemKinds } from '../store/clinical-item-kinds.ts';
import type { AreaContext } from './area.ts';
import type { LinkPlaceholder } from './problems.ts';

type Item = { type: string; id: string };

/**
 * A practice's clinical-area switches applied to one structured record (structured digest §18.3,
 * spec "Configuration for supported clinical areas"):
 *
 * - a requested area that is off is not built (no List, no resources) and the bundle's
 *   OperationOutcome gets `<parameter> has been disabled` for it;
 * - an item of an area that is off never comes in through a link either — a problem's
 *   (`placeholder`, `problemLinks`) or a consultation's (`disabledItemDisplay`): the link becomes
 *   display-only (`<Area> items have been disabled`) and the area is warned about the same way, as
 *   the digest asks for a "requested or linked" area. A confidential item leaves no trace (§18.1);
 *   its area is warned about all the same;
 * - with problems off, no Condition comes in as a "linked problem" of a returned item, nor as the
 *   problem a consultation topic is about.
 *
 * Built with no areas off (migrate, which the spec exempts from the switches) it changes nothing.
 */
export class AreaSwitches {
  private readonly off: ReadonlySet<StructuredArea>;
  private readonly offParameters: Map<string, StructuredArea>;
  /** The areas the response must warn about. */
  private readonly warned = new Set<StructuredArea>();
  /** Items left out because their area is off, by `Type/id`. */
  private readonly leftOut = new Map<string, StructuredArea>();

  constructor(off: ReadonlySet<StructuredArea> = new Set()) {
    this.off = off;
    this.offParameters = new Map([...off].map((area) => [structuredAreaParameters[area], area]));
  }

  isOn(area: StructuredArea): boolean {
    return !this.off.has(area);
  }

  /**
   * For an item of `area` that a returned item links to: the display that stands in for it when
   * the area is off (and the area is then warned about), or undefined when the area is on.
   */
  disabledItemDisplay(area: StructuredArea): string | undefined {
    if (!this.off.has(area)) return undefined;
    this.warned.add(area);
    return disabledDisplay(area);
  }

  /** Whether the area the request parameter asks for is off (and so is to be warned about, not built). */
  refuses(parameter: string): boolean {
    const area = this.offParameters.get(parameter);
    if (area === undefined) return false;
    this.warned.add(area);
    return true;
  }

  /**
   * The matched problems' linked items (and the types of their confidential links, which mark
   * lists with confidential-items) without those of areas that are off.
   */
  async problemLinks(ctx: AreaContext, items: Item[], withheldLinkTypes: string[]): Promise<{ items: Item[]; withheldLinkTypes: string[] }> {
    if (this.off.size === 0) return { items, withheldLinkTypes };
    // Only Observations and ProcedureRequests need their stored kind, and only if an area they may belong to is off.
    const ambiguous = (type: string) => items.filter((i) => i.type === type).map((i) => i.id);
    const mayNeedKinds = this.off.has('uncategorised') || this.off.has('investigations') || this.off.has('diary');
    const kinds = mayNeedKinds ? await findItemKinds(ctx.db, ctx.practice, ambiguous('Observation'), ambiguous('ProcedureRequest')) : new Map<string, string>();
    const kept: Item[] = [];
    for (const item of items) {
      const area = areaOfItem(item.type, kinds.get(`${item.type}/${item.id}`));
      if (area !== undefined && this.off.has(area)) {
        this.leftOut.set(`${item.type}/${item.id}`, area);
        this.warned.add(area);
      } else kept.push(item);
    }
    const keptTypes = withheldLinkTypes.filter((type) => {
      // A confidential link is written nowhere; its type names the "related to problems" list it would mark.
      const area = withheldListArea[type];
      if (area === undefined || !this.off.has(area)) return true;
      this.warned.add(area);
      return false;
    });
    return { items: kept, withheldLinkTypes: keptTypes };
  }

  /**
   * For a Condition's link to an item the bundle does not hold: display-only when the item's area
   * is off — an item problemLinks left out, or one whose area its type (and, for an Observation or
   * a ProcedureRequest, its stored `kind`) tells.
   */
  readonly placeholder: LinkPlaceholder = (type, id, kind) => {
    const area = this.leftOut.get(`${type}/${id}`) ?? knownAreaOfItem(type, kind);
    return area === undefined ? undefined : this.disabledItemDisplay(area);
  };

  /** One warning per area that is off and was requested or linked, in the areas' order. */
  warnings(): { text: string; parameter: string }[] {
    return structuredAreas
      .filter((area) => this.warned.has(area))
      .map((area) => ({ text: areaDisabledText(structuredAreaParameters[area]), parameter: structuredAreaParameters[area] }));
  }
}

/** The text that stands in for a linked item of an area that is off ("Immunisations items have been disabled"). */
function disabledDisplay(area: StructuredArea): string {
  return `${structuredAreaLabels[area]} items have been disabled`;
}

/**
 * The area a linked item belongs to (undefined: none that can be switched, e.g. a document). A
 * problem's link to a comment note counts as uncategorised data, as in the "Problems -
 * uncategorised data related to problems" list that holds it (problem-items.ts); inside a
 * consultation a comment note is the consultation's own text (consultations.ts).
 */
function areaOfItem(type: string, kind: string | undefined): StructuredArea | undefined {
  switch (type) {
    case 'Observation':
      return kind === 'uncategorised' || kind === 'narrative' ? 'uncategorised' : 'investigations';
    case 'ProcedureRequest':
      return kind === 'diary' ? 'diary' : 'investigations';
    default:
      return areaOfType[type];
  }
}

/** As areaOfItem, but undefined for an Observation or ProcedureRequest whose kind is not known. */
function knownAreaOfItem(type: string, kind: string | undefined): StructuredArea | undefined {
  if (kind === undefined && (type === 'Observation' || type === 'ProcedureRequest')) return undefined;
  return areaOfItem(type, kind);
}

const areaOfType: Record<string, StructuredArea> = {
  AllergyIntolerance: 'allergies',
  MedicationRequest: 'medication',
  Immunization: 'immunisations',
  ReferralRequest: 'referrals',
  DiagnosticReport: 'investigations',
  Encounter: 'consultations',
};

/** As problem-items' withheld lists: a confidential Observation marks uncategorised data, a ProcedureRequest the diary. */
const withheldListArea: Record<string, StructuredArea> = {
  ...areaOfType,
  Observation: 'uncategorised',
  ProcedureRequest: 'diary',
};
