/**
 * One pending schedule change at a time: the server's "what if" of it (the affected appointments
 * and their alternatives), then saving it through the plan's apply, or dropping it; once saved,
 * the plan's report.
 */
import { Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { type ReactNode, useEffect, useRef, useState } from "react";
import type { PlanInput } from "../../../src/services/rescheduling/schema.js";
import { PlanReport, ReschedulePreview, useServerPreview } from "../shared/ReschedulePreview.js";
import { addDays, earlierDate } from "../shared/time.js";
import type { ReschedulePlan } from "../shared/types.js";
import { ErrorAlert } from "../shared/ui.js";

/** The dates a change is shown over on the calendar. */
export interface PreviewRange {
  from: string;
  to: string;
}

/** The calendar shows at most 92 days at a time. */
const MAX_DAYS = 91;

export function clampRange(from: string, to: string): PreviewRange {
  return { from, to: earlierDate(to, addDays(from, MAX_DAYS)) };
}

/** What the server's "what if" found affected, for the calendar to mark. */
export type ServerAffected = Array<{ start: string; locationId: string }>;

/** Lets the page show what a panel is previewing (null: nothing). */
export type OnPreview = (
  change: PlanInput | null,
  range: PreviewRange | null,
  affected?: ServerAffected,
) => void;

interface Pending {
  input: PlanInput;
  range: PreviewRange;
  label: string;
}

export function usePending(onPreview: OnPreview) {
  const [pending, setPending] = useState<Pending | null>(null);
  const [report, setReport] = useState<ReschedulePlan | null>(null);
  const preview = useServerPreview(pending?.input ?? null);
  // the page's handler is made anew on each render: call the latest when the answer arrives
  const latest = useRef(onPreview);
  latest.current = onPreview;
  useEffect(() => {
    if (pending && preview.data) latest.current(pending.input, pending.range, preview.data.affected);
  }, [pending, preview.data]);
  const drop = () => {
    setPending(null);
    onPreview(null, null);
  };
  const saved = (applied: ReschedulePlan) => {
    notifications.show({ color: "green", title: "Saved", message: "The schedule is updated." });
    setReport(applied);
    drop();
  };
  const start = (p: Pending) => {
    setReport(null);
    setPending(p);
    onPreview(p.input, p.range);
  };
  const view: ReactNode = pending ? (
    <Stack gap="xs">
      <ErrorAlert error={preview.error} title="The preview could not be computed" />
      {preview.isFetching && !preview.data ? <Text size="sm">Computing the preview…</Text> : null}
      {preview.data ? (
        <ReschedulePreview plan={preview.data} saveLabel={pending.label} onSaved={saved} />
      ) : null}
      <Group>
        <Button variant="subtle" size="xs" onClick={drop}>
          Discard this change
        </Button>
      </Group>
    </Stack>
  ) : report ? (
    <Paper withBorder p="sm">
      <Title order={3} size="h5" mb="xs">
        Saved: where the affected appointments went
      </Title>
      <PlanReport plan={report} />
    </Paper>
  ) : null;
  return { start, view, saveError: preview.error };
}
