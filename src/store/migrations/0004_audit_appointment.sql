-- Appointment Management audit rows name the appointment concerned as well as the patient.
ALTER TABLE audit_event ADD COLUMN appointment_id text;
