/** One pending schedule change at a time: preview what it affects, then save or discard it. */
import { Button, Group, Stack, Text } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import type { ScheduleChange } from "../shared/preview.js";
import { ErrorAlert } from "../shared/ui.js";
import { AffectedList, type PreviewRange, useChangePreview } from "./ChangePreview.js";

interface Pending {
  change: ScheduleChange;
  range: PreviewRange;
  label: string;
  run: () => Promise<unknown>;
}

/** One pending change at a time per panel: preview it, then save or drop it. */
export function usePending(
  physicianId: string,
  onPreview: (c: ScheduleChange | null, r: PreviewRange | null) => void,
) {
  const client = useQueryClient();
  const [pending, setPending] = useState<Pending | null>(null);
  const preview = useChangePreview(physicianId, pending?.change ?? null, pending?.range ?? null);
  const save = useMutation({
    mutationFn: () => pending!.run(),
    onSuccess: () => {
      notifications.show({ color: "green", title: "Saved", message: "The schedule is updated." });
      setPending(null);
      onPreview(null, null);
      for (const key of ["schedule", "assignments", "templates", "overrides", "time-off"])
        void client.invalidateQueries({ queryKey: [key, physicianId] });
    },
  });
  const start = (p: Pending) => {
    save.reset();
    setPending(p);
    onPreview(p.change, p.range);
  };
  const view: ReactNode = pending ? (
    <Stack gap="xs">
      <ErrorAlert error={save.error ?? preview.error} title="Not saved" />
      {preview.isFetching && !preview.affected ? <Text size="sm">Computing the preview…</Text> : null}
      <AffectedList
        affected={preview.affected}
        range={pending.range}
        onSave={() => save.mutate()}
        saving={save.isPending}
        saveLabel={pending.label}
      />
      <Group>
        <Button
          variant="subtle"
          size="xs"
          onClick={() => {
            setPending(null);
            onPreview(null, null);
          }}
        >
          Discard this change
        </Button>
      </Group>
    </Stack>
  ) : null;
  return { start, view, saveError: save.error };
}
