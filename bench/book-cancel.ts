/**
 * Book-then-cancel under load: `connections` workers, each holding its own free slot, book it,
 * cancel the appointment (which frees the slot) and book it again, until time runs out.
 * Latencies of the two commands are kept apart.
 */
import { auditToken } from '../src/consumer/audit-token.ts';

const urn = 'urn:nhs:names:services:gpconnect:fhir:rest:';

export interface CommandLatencies { pairsPerSecond: number; book: number[]; cancel: number[]; failures: number }

function headers(interaction: string, scope: string): Record<string, string> {
  return {
    'Ssp-TraceID': crypto.randomUUID(), 'Ssp-From': '200000000359', 'Ssp-To': '918999198738', 'Ssp-InteractionID': urn + interaction,
    Authorization: `Bearer ${auditToken({ scope })}`, Accept: 'application/fhir+json', 'Content-Type': 'application/fhir+json;charset=utf-8',
  };
}

export async function bookThenCancel(base: string, connections: number, seconds: number): Promise<CommandLatencies> {
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const search = await fetch(`${base}/Slot?start=ge${day(2)}&end=le${day(9)}&status=free&_include=Slot:schedule`, { headers: headers('search:slot-1', 'organization/*.read') });
  const bundle = (await search.json()) as { entry: { resource: Record<string, any> }[] };
  const resources = bundle.entry.map((e) => e.resource);
  const slots = resources.filter((r) => r.resourceType === 'Slot').slice(0, connections);
  if (slots.length < connections) throw new Error(`only ${slots.length} free slots for ${connections} workers`);
  const locationOf = (slot: Record<string, any>) =>
    resources.find((r) => `Schedule/${r.id}` === slot.schedule.reference)!.actor.find((a: { reference: string }) => a.reference.startsWith('Location/')).reference;

  const book: number[] = [];
  const cancel: number[] = [];
  let failures = 0;
  let pairs = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(slots.map(async (slot, worker) => {
    const body = {
      resourceType: 'Appointment',
      contained: [{ resourceType: 'Organization', id: '1', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'B82617' }], name: 'Benchmark', telecom: [{ system: 'phone', value: '01234567890' }] }],
      extension: [{ url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-BookingOrganisation-1', valueReference: { reference: '#1' } }],
      status: 'booked', description: 'Benchmark booking', start: slot.start, end: slot.end, slot: [{ reference: `Slot/${slot.id}` }],
      created: new Date().toISOString(),
      participant: [{ actor: { reference: `Patient/${(worker % 8) + 1}` }, status: 'accepted' }, { actor: { reference: locationOf(slot) }, status: 'accepted' }],
    };
    while (Date.now() < until) {
      let t = performance.now();
      const booked = await fetch(`${base}/Appointment`, { method: 'POST', headers: headers('create:appointment-1', 'patient/*.write'), body: JSON.stringify(body) });
      const appointment = (await booked.json()) as Record<string, any>;
      book.push(performance.now() - t);
      if (booked.status !== 201) { failures++; continue; }
      const cancelled = { ...appointment, status: 'cancelled', extension: [...appointment.extension, { url: 'https://fhir.nhs.uk/STU3/StructureDefinition/Extension-GPConnect-AppointmentCancellationReason-1', valueString: 'benchmark' }] };
      t = performance.now();
      const res = await fetch(`${base}/Appointment/${appointment.id}`, { method: 'PUT', headers: headers('cancel:appointment-1', 'patient/*.write'), body: JSON.stringify(cancelled) });
      await res.arrayBuffer();
      cancel.push(performance.now() - t);
      if (res.status !== 200) failures++;
      else pairs++;
    }
  }));
  return { pairsPerSecond: pairs / seconds, book, cancel, failures };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
