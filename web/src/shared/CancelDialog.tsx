/** Cancelling asks for a reason, so the freed time can be offered to someone else. */
import { Button, Group, Modal, Stack, Textarea } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { cancelInput } from "../../../src/services/scheduling/appointments.schema.js";
import { api, fieldErrorsOf, validate } from "./api.js";
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
  const client = useQueryClient();
  const [reason, setReason] = useState("");
  const [clientError, setClientError] = useState<string | undefined>();
  // the button that opened the dialog goes away with the cancellation: the focus goes to the heading
  const [cancelled, setCancelled] = useState(false);
  const cancel = useMutation({
    mutationFn: (body: { reason: string }) =>
      api.post<Appointment>(`/api/v1/appointments/${appt.id}/cancel`, body),
    onSuccess: (updated) => {
      client.setQueryData(["appointment", updated.id], updated);
      void client.invalidateQueries({ queryKey: ["appointments"] });
      setCancelled(true);
      onClose();
    },
  });
  const error = clientError ?? fieldErrorsOf(cancel.error).reason;

  function submit() {
    const checked = validate(cancelInput, { reason });
    if (!checked.ok) {
      setClientError(checked.errors.reason);
      return;
    }
    setClientError(undefined);
    cancel.mutate(checked.data);
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
