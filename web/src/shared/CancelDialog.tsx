/** Cancelling asks for a reason, so the freed time can be offered to someone else. */
import { Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { useState } from "react";
import { cancelInput } from "../../../src/services/scheduling/appointments.schema.js";
import { useChange } from "../offline/useChange.js";
import { fieldErrorsOf, validate } from "./api.js";
import { formatDateTime } from "./time.js";
import type { Appointment } from "./types.js";
import { ErrorAlert } from "./ui.js";

export function CancelDialog({
  appt,
  opened,
  onClose,
}: {
  appt: Appointment;
  opened: boolean;
  onClose: () => void;
}) {
  const [reason, setReason] = useState("");
  const [clientError, setClientError] = useState<string | undefined>();
  // the button that opened the dialog goes away with the cancellation: the focus goes to the heading
  const [cancelled, setCancelled] = useState(false);
  // sent now, or kept for when the network returns (web/src/offline/)
  const cancel = useChange((outcome) => {
    if (outcome === "applied") setCancelled(true);
    onClose();
  });
  const error = clientError ?? fieldErrorsOf(cancel.error).reason;

  function submit() {
    const checked = validate(cancelInput, { reason });
    if (!checked.ok) {
      setClientError(checked.errors.reason);
      return;
    }
    setClientError(undefined);
    cancel.mutate({
      kind: "cancel",
      appointment: appt,
      body: checked.data,
      label: `Cancel the appointment of ${formatDateTime(appt.start, appt.local.timeZone)}`,
    });
  }

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title="Cancel this appointment?"
      returnFocus={!cancelled}
      onExitTransitionEnd={() => {
        if (cancelled) document.querySelector<HTMLElement>("main h1")?.focus();
      }}
    >
      <Stack>
        <ErrorAlert error={cancel.error} title="It was not cancelled" shownFields={["reason"]} />
        <Textarea
          label="Reason"
          description="Tell the clinic why, so they can offer the time to someone else."
          required
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={error}
          data-autofocus
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button color="red" onClick={submit} loading={cancel.isPending}>
            Cancel appointment
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
