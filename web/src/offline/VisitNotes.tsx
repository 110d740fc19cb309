/** The care team's notes on a visit: written online or offline, sent with the version they were written on. */
import { Button, Group, Paper, Stack, Text, Textarea } from "@mantine/core";
import { useState } from "react";
import type { Appointment } from "../shared/types.js";
import { ErrorAlert } from "../shared/ui.js";
import { usePendingChange } from "./state.js";
import { useChange } from "./useChange.js";

export function VisitNotes({ appt, who }: { appt: Appointment; who: string }) {
  const [notes, setNotes] = useState(appt.notes ?? "");
  const save = useChange();
  const pending = usePendingChange(appt.id, "notes");
  const changed = notes.trim() !== (appt.notes ?? "");
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Textarea
          label="Notes for the care team"
          description="Not shown to the patient. Kept on this device and sent later when you are offline."
          autosize
          minRows={2}
          maxLength={4000}
          value={notes}
          onChange={(e) => setNotes(e.currentTarget.value)}
        />
        <ErrorAlert error={save.error} title="The notes were not saved" />
        <Group gap="xs">
          <Button
            variant="light"
            disabled={!changed}
            loading={save.isPending}
            onClick={() =>
              save.mutate({
                kind: "notes",
                appointment: appt,
                body: { notes: notes.trim() },
                label: `Notes on the visit of ${who}`,
              })
            }
          >
            Save notes
          </Button>
          {pending?.state === "queued" ? (
            <Text size="sm" c="yellow.9" fw={600}>
              Notes waiting to be sent
            </Text>
          ) : null}
        </Group>
      </Stack>
    </Paper>
  );
}
