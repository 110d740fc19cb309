-- Owner: scheduling module. Bounds and indexes that keep large networks fast.
-- The self-reference of a rescheduled appointment needs an index:
-- without it every deleted or re-keyed appointment scans the whole table to check the reference.
CREATE INDEX appointments_rescheduled_from_idx ON appointments (rescheduled_from) WHERE rescheduled_from IS NOT NULL;

-- Appointment types last at most 8 hours and every appointment takes its type's length; saying
-- so lets availability scan only bookings that start at most 8 hours before a window.
ALTER TABLE appointments ADD CONSTRAINT appointments_length_bound CHECK (ends_at <= starts_at + interval '8 hours');

-- A physician's schedule lists cancelled-but-shown statuses (no-shows) too, which the partial
-- index on active rows cannot serve: one index over every status serves both.
DROP INDEX appointments_physician_time_idx;
CREATE INDEX appointments_physician_time_idx ON appointments (physician_id, starts_at);
