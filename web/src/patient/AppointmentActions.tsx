/** Cancel, reschedule, follow-up: the same three actions wherever an appointment is shown to a patient. */
import { Button, Group } from "@mantine/core";
import { useState } from "react";
import { CancelDialog } from "../shared/CancelDialog.js";
import { useAppointmentTypes } from "../shared/queries.js";
import { ButtonLink } from "../shared/router.js";
import type { Appointment } from "../shared/types.js";

const ACTIVE = new Set(["held", "booked"]);

export function AppointmentActions({ appt, compact = false }: { appt: Appointment; compact?: boolean }) {
  const { byId: types } = useAppointmentTypes();
  const type = types.get(appt.appointmentTypeId);
  const [cancelling, setCancelling] = useState(false);
  const upcoming = Date.parse(appt.start) > Date.now();
  const size = compact ? "xs" : "sm";
  const search = (extra: Record<string, string>) =>
    `/patient?${new URLSearchParams({
      for: appt.patientId,
      physician: appt.physicianId,
      ...(type ? { specialty: type.specialty } : {}),
      ...extra,
    }).toString()}`;

  return (
    <Group gap="xs">
      {ACTIVE.has(appt.status) && upcoming ? (
        <>
          <ButtonLink
            size={size}
            variant="light"
            to={search({ reschedule: appt.id, type: appt.appointmentTypeId })}
          >
            Reschedule
          </ButtonLink>
          <Button size={size} variant="light" color="red" onClick={() => setCancelling(true)}>
            Cancel
          </Button>
        </>
      ) : null}
      {appt.status !== "held" ? (
        <ButtonLink size={size} variant="subtle" to={search({ followUp: "true" })}>
          Book a follow-up
        </ButtonLink>
      ) : null}
      <CancelDialog appt={appt} opened={cancelling} onClose={() => setCancelling(false)} />
    </Group>
  );
}
