/**
 * Moving a physician's weekday to another location for a while: a temporary assignment or a
 * rotation, which replaces the weekly template on its days. The server previews what it would do
 * to booked appointments (and offers their alternatives) before it is saved.
 */
import {
  Button,
  Checkbox,
  Grid,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { DateInput, TimeInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { overrideInput } from "../../../src/services/physicians/schema.js";
import type { PlanInput } from "../../../src/services/rescheduling/schema.js";
import { type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { PlanReport, ReschedulePreview, useServerPreview } from "../shared/ReschedulePreview.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { addDays, todayIn, viewerZone, WEEKDAYS, weekdayOf } from "../shared/time.js";
import type { AssignmentTemplate, ReschedulePlan } from "../shared/types.js";
import { ErrorAlert } from "../shared/ui.js";
import { clampRange, type OnPreview, type PreviewRange } from "./usePending.js";

/** The next date on or after `from` that falls on an ISO weekday. */
export function nextWeekday(from: string, weekday: number): string {
  return addDays(from, (weekday - weekdayOf(from) + 7) % 7);
}

export function MoveWeekday({
  physicianId,
  templates,
  onPreview,
}: {
  physicianId: string;
  templates: AssignmentTemplate[];
  /** Lets the calendar show what the preview found. */
  onPreview: OnPreview;
}) {
  const client = useQueryClient();
  const { byId: locations, locations: all } = useLocations();
  const today = todayIn(viewerZone);
  const [weekday, setWeekday] = useState<string>("2");
  const wd = Number(weekday);
  const current = templates.filter(
    (t) => t.weekday === wd && (t.effectiveTo === null || t.effectiveTo >= today),
  );
  const [locationId, setLocationId] = useState<string | null>(null);
  const [startDate, setStartDate] = useState<string | null>(nextWeekday(addDays(today, 1), wd));
  const [endDate, setEndDate] = useState<string | null>(addDays(nextWeekday(addDays(today, 1), wd), 27));
  const [startTime, setStartTime] = useState<string>(minTime(current) ?? "08:00");
  const [endTime, setEndTime] = useState<string>(maxTime(current) ?? "17:00");
  const [kind, setKind] = useState<"temporary" | "rotation">("temporary");
  const [rotationName, setRotationName] = useState("");
  const [reason, setReason] = useState("");
  const [onSite, setOnSite] = useState(false);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const [previewed, setPreviewed] = useState<{ range: PreviewRange; input: PlanInput } | null>(null);
  const [report, setReport] = useState<ReschedulePlan | null>(null);
  // the server's "what if": the change evaluated against the facts as they would be, nothing saved
  const preview = useServerPreview(previewed?.input ?? null);
  // the page's handler is made anew on each render: call the latest, when the answer arrives
  const latestOnPreview = useRef(onPreview);
  latestOnPreview.current = onPreview;
  useEffect(() => {
    if (previewed && preview.data)
      latestOnPreview.current(previewed.input, previewed.range, preview.data.affected);
  }, [previewed, preview.data]);
  const saved = (applied: ReschedulePlan) => {
    const moved = applied.affected.filter((a) => a.outcome?.state === "moved").length;
    const handed = applied.affected.length - moved;
    notifications.show({
      color: "green",
      title: "Saved",
      message: `The new assignment is in the schedule.${applied.affected.length ? ` ${moved} moved, ${handed} handed to the front desk.` : ""}`,
    });
    setPreviewed(null);
    setReport(applied);
    onPreview(null, null);
    void client.invalidateQueries({ queryKey: ["reschedule-plan"] });
  };
  const errors = { ...fieldErrorsOf(preview.error), ...clientErrors };

  function changeWeekday(v: string | null) {
    if (!v) return;
    setWeekday(v);
    const now = templates.filter((t) => t.weekday === Number(v));
    setStartTime(minTime(now) ?? startTime);
    setEndTime(maxTime(now) ?? endTime);
    if (startDate) setStartDate(nextWeekday(startDate, Number(v)));
    setPreviewed(null);
  }
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setPreviewed(null);
      onPreview(null, null);
    };

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!locationId) {
      setClientErrors({ locationId: "choose where the physician works that day" });
      return;
    }
    const body = {
      locationId: locationId ?? "",
      kind,
      rotationName: kind === "rotation" ? rotationName.trim() || null : null,
      startDate: startDate ?? "",
      endDate: endDate ?? "",
      weekdays: [wd],
      startTime,
      endTime,
      reason: reason.trim() || null,
      onSite,
    };
    const checked = validate(overrideInput, body);
    if (!checked.ok) {
      setClientErrors(checked.errors);
      return;
    }
    setClientErrors({});
    const range = clampRange(checked.data.startDate, checked.data.endDate);
    const input: PlanInput = { change: "add_override", physicianId, ...checked.data };
    setReport(null);
    setPreviewed({ range, input });
    onPreview(input, range);
  }

  return (
    <Paper withBorder p="md" component="section" aria-labelledby="move-weekday">
      <Title order={2} size="h4" id="move-weekday" mb="xs">
        Move a weekday to another location
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        {current.length
          ? `On ${WEEKDAYS[wd - 1]}s this physician now works at ${[...new Set(current.map((t) => locations.get(t.locationId)?.name ?? "?"))].join(" and ")}, ${minTime(current)}–${maxTime(current)}.`
          : `This physician has no ${WEEKDAYS[wd - 1]} template block.`}
      </Text>
      <form onSubmit={submit} noValidate aria-label="Move a weekday">
        <Stack>
          <ErrorAlert
            error={preview.error}
            title="The preview could not be computed"
            shownFields={[
              "locationId",
              "startDate",
              "endDate",
              "startTime",
              "endTime",
              "rotationName",
              "reason",
              "weekdays",
              "onSite",
            ]}
          />
          <Grid>
            <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
              <Select
                label="Weekday"
                data={WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }))}
                value={weekday}
                onChange={changeWeekday}
                allowDeselect={false}
                error={errors.weekdays}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6, md: 8 }}>
              <SearchableSelect
                label="New location"
                required
                data={all
                  .filter((l) => l.active)
                  .map((l) => ({ value: l.id, label: `${l.name} (${l.code})` }))}
                value={locationId}
                onChange={edit(setLocationId)}
                error={errors.locationId}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>
              <DateInput
                label="From"
                required
                value={startDate}
                onChange={edit((v) => setStartDate(v ? String(v) : null))}
                valueFormat="YYYY-MM-DD"
                error={errors.startDate}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>
              <DateInput
                label="Until"
                required
                value={endDate}
                onChange={edit((v) => setEndDate(v ? String(v) : null))}
                valueFormat="YYYY-MM-DD"
                error={errors.endDate}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>
              <TimeInput
                label="Starts"
                required
                value={startTime}
                onChange={(e) => edit(setStartTime)(e.currentTarget.value)}
                error={errors.startTime}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 3 }}>
              <TimeInput
                label="Ends"
                required
                value={endTime}
                onChange={(e) => edit(setEndTime)(e.currentTarget.value)}
                error={errors.endTime}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <SegmentedControl
                aria-label="Kind of change"
                value={kind}
                onChange={(v) => edit(setKind)(v as "temporary" | "rotation")}
                data={[
                  { value: "temporary", label: "Temporary assignment" },
                  { value: "rotation", label: "Rotation" },
                ]}
              />
            </Grid.Col>
            {kind === "rotation" ? (
              <Grid.Col span={{ base: 12, sm: 6 }}>
                <TextInput
                  label="Rotation name"
                  value={rotationName}
                  onChange={(e) => edit(setRotationName)(e.currentTarget.value)}
                  error={errors.rotationName}
                />
              </Grid.Col>
            ) : null}
            <Grid.Col span={12}>
              <Checkbox
                label="On site for the whole block"
                description="The physician stays there all day: appointments elsewhere leave time to travel to and from the whole block, not only to and from its appointments."
                checked={onSite}
                onChange={(e) => edit(setOnSite)(e.currentTarget.checked)}
                error={errors.onSite}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <TextInput
                label="Reason (optional)"
                value={reason}
                onChange={(e) => edit(setReason)(e.currentTarget.value)}
                error={errors.reason}
              />
            </Grid.Col>
          </Grid>
          <div>
            <Button type="submit" variant={previewed ? "default" : "filled"} loading={preview.isFetching}>
              Preview affected appointments
            </Button>
          </div>
          {previewed && preview.data ? (
            <ReschedulePreview plan={preview.data} saveLabel="Save the change" onSaved={saved} />
          ) : null}
          {report ? <PlanReport plan={report} /> : null}
        </Stack>
      </form>
    </Paper>
  );
}

function minTime(ts: AssignmentTemplate[]): string | undefined {
  return ts.map((t) => t.startTime).sort()[0];
}
function maxTime(ts: AssignmentTemplate[]): string | undefined {
  return ts
    .map((t) => t.endTime)
    .sort()
    .at(-1);
}
