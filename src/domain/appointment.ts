import type { Coded, DeliveryChannel } from './diary.ts';

export interface AppointmentParticipant {
  /** Relative reference: Patient/1, Location/16, Practitioner/1. */
  actor: string;
  status: string;
  /** Participant type CodeableConcepts, kept as sent. */
  type?: Record<string, unknown>[];
}

/** An appointment in a practice's diary, however it was booked. */
export interface Appointment {
  id: string;
  status: 'booked' | 'cancelled';
  patientId: string;
  scheduleId: string;
  locationId: string;
  practitionerId: string | undefined;
  slotIds: string[];
  start: Date;
  end: Date;
  created: Date;
  description: string;
  comment: string | undefined;
  priority: number | undefined;
  identifiers: { system: string; value: string }[];
  /** The contained booking Organization as the consumer sent it. */
  bookingOrganization: Record<string, unknown>;
  participants: AppointmentParticipant[];
  serviceCategory: string | undefined;
  serviceType: string;
  deliveryChannel: DeliveryChannel;
  practitionerRole: Coded;
  cancellationReason: string | undefined;
  version: number;
}
