-- Owner: scheduling module. Reminder times per appointment type (hours before the start);
-- NULL keeps the network default (ROUNDS_REMINDER_HOURS).
ALTER TABLE appointment_types ADD COLUMN reminder_hours integer[]
  CONSTRAINT appointment_types_reminder_hours_check
  CHECK (reminder_hours IS NULL OR (cardinality(reminder_hours) <= 5 AND 1 <= ALL (reminder_hours) AND 720 >= ALL (reminder_hours)));
