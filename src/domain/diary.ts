/** A practice's diary: sessions (schedules) and the slots in them. */

export interface Coded {
  code: string;
  display: string;
}

export interface Schedule {
  id: string;
  identifier: string | undefined;
  practitionerId: string | undefined;
  locationId: string;
  serviceCategory: string | undefined;
  practitionerRole: Coded;
  planningHorizonStart: Date;
  planningHorizonEnd: Date | undefined;
  version: number;
}

export type DeliveryChannel = 'In-person' | 'Telephone' | 'Video';

export interface Slot {
  id: string;
  scheduleId: string;
  start: Date;
  end: Date;
  status: 'free' | 'busy';
  serviceType: string;
  deliveryChannel: DeliveryChannel;
  gpcBookable: boolean;
  bookableOdsCodes: string[];
  bookableOrgTypes: string[];
  version: number;
}

/** What a consumer says about itself in a slot search (searchFilter) or a booking. */
export interface BookingParty {
  odsCode: string | undefined;
  organisationType: string | undefined;
}

/**
 * Spec (provider slot availability management): which slots an organisation may be offered.
 * No filter: only unrestricted slots. A restriction list that is not empty must contain the
 * party's ODS code / organisation type, and a restriction on something the party did not say
 * excludes the slot.
 */
export function isOfferedTo(slot: Pick<Slot, 'gpcBookable' | 'bookableOdsCodes' | 'bookableOrgTypes'>, party: BookingParty): boolean {
  if (!slot.gpcBookable) return false;
  const odsOk = slot.bookableOdsCodes.length === 0 || (party.odsCode !== undefined && slot.bookableOdsCodes.includes(party.odsCode));
  const typeOk = slot.bookableOrgTypes.length === 0 || (party.organisationType !== undefined && slot.bookableOrgTypes.includes(party.organisationType));
  return odsOk && typeOk;
}
