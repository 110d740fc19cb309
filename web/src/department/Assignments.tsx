/**
 * Weekly templates and rotations of one physician: each change is evaluated by the server (the
 * appointments it would make impossible, with alternatives) before it is saved through the plan.
 */
import { Button, Checkbox, Grid, Paper, Select, Stack, Table, Text, Title } from "@mantine/core";
import { DateInput, TimeInput } from "@mantine/dates";
import { type FormEvent, useState } from "react";
import { templateInput } from "../../../src/services/physicians/schema.js";
import { type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { laterDate, todayIn, viewerZone, WEEKDAYS, weekdayName } from "../shared/time.js";
import type { AssignmentOverride, AssignmentTemplate } from "../shared/types.js";
import { humanize, LocationBadge } from "../shared/ui.js";
import { clampRange, type OnPreview, usePending } from "./usePending.js";

export function TemplatesPanel({
  physicianId,
  templates,
  onPreview,
}: {
  physicianId: string;
  templates: AssignmentTemplate[];
  onPreview: OnPreview;
}) {
  const { byId: locations, locations: all } = useLocations();
  const { start, view, saveError } = usePending(onPreview);
  const today = todayIn(viewerZone);
  const [form, setForm] = useState({
    locationId: null as string | null,
    weekday: "1",
    startTime: "08:00",
    endTime: "12:00",
    effectiveFrom: today as string | null,
    effectiveTo: null as string | null,
    onSite: false,
  });
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const errors = { ...fieldErrorsOf(saveError), ...clientErrors };
  const sorted = [...templates].sort(
    (a, b) => a.weekday - b.weekday || a.startTime.localeCompare(b.startTime),
  );

  function add(e: FormEvent) {
    e.preventDefault();
    if (!form.locationId) return setClientErrors({ locationId: "choose a location" });
    const checked = validate(templateInput, {
      ...form,
      weekday: Number(form.weekday),
      locationId: form.locationId ?? "",
    });
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    const t = checked.data;
    start({
      input: { change: "add_template", physicianId, ...t },
      range: clampRange(laterDate(t.effectiveFrom, today), t.effectiveTo ?? "9999-12-31"),
      label: "Add the block",
    });
  }

  return (
    <Stack>
      <Table.ScrollContainer minWidth={560}>
        <Table striped aria-label="Weekly template">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Day</Table.Th>
              <Table.Th>Time</Table.Th>
              <Table.Th>Location</Table.Th>
              <Table.Th>Effective</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{weekdayName(t.weekday)}</Table.Td>
                <Table.Td>
                  {t.startTime}–{t.endTime}
                  {t.onSite ? " · on site" : ""}
                </Table.Td>
                <Table.Td>
                  <LocationBadge location={locations.get(t.locationId)} />
                </Table.Td>
                <Table.Td>
                  {t.effectiveFrom} → {t.effectiveTo ?? "open"}
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="red"
                    aria-label={`Remove the ${weekdayName(t.weekday)} ${t.startTime} block`}
                    onClick={() =>
                      start({
                        input: { change: "remove_template", physicianId, templateId: t.id },
                        range: clampRange(laterDate(t.effectiveFrom, today), t.effectiveTo ?? "9999-12-31"),
                        label: "Remove the block",
                      })
                    }
                  >
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {view}
      <Paper withBorder p="sm">
        <form onSubmit={add} noValidate aria-label="Add a template block">
          <Title order={3} size="h5" mb="xs">
            Add a weekly block
          </Title>
          <Grid align="end">
            <Grid.Col span={{ base: 12, md: 4 }}>
              <SearchableSelect
                label="Location"
                required
                data={all.map((l) => ({ value: l.id, label: l.name }))}
                value={form.locationId}
                onChange={(v) => setForm({ ...form, locationId: v })}
                error={errors.locationId}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 2 }}>
              <Select
                label="Day"
                data={WEEKDAYS.map((d, i) => ({ value: String(i + 1), label: d }))}
                value={form.weekday}
                onChange={(v) => v && setForm({ ...form, weekday: v })}
                allowDeselect={false}
                error={errors.weekday}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 3, md: 1.5 }}>
              <TimeInput
                label="Starts"
                value={form.startTime}
                onChange={(e) => setForm({ ...form, startTime: e.currentTarget.value })}
                error={errors.startTime}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 3, md: 1.5 }}>
              <TimeInput
                label="Ends"
                value={form.endTime}
                onChange={(e) => setForm({ ...form, endTime: e.currentTarget.value })}
                error={errors.endTime}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 1.5 }}>
              <DateInput
                label="From"
                value={form.effectiveFrom}
                onChange={(v) => setForm({ ...form, effectiveFrom: v ? String(v) : null })}
                valueFormat="YYYY-MM-DD"
                error={errors.effectiveFrom}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, md: 1.5 }}>
              <DateInput
                label="Until"
                clearable
                value={form.effectiveTo}
                onChange={(v) => setForm({ ...form, effectiveTo: v ? String(v) : null })}
                valueFormat="YYYY-MM-DD"
                error={errors.effectiveTo}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <Checkbox
                label="On site for the whole block"
                description="The physician stays there for all of it: appointments elsewhere leave time to travel to and from the whole block, not only to and from its appointments."
                checked={form.onSite}
                onChange={(e) => setForm({ ...form, onSite: e.currentTarget.checked })}
                error={errors.onSite}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <Button type="submit" variant="light">
                Preview this block
              </Button>
            </Grid.Col>
          </Grid>
        </form>
      </Paper>
    </Stack>
  );
}

export function OverridesPanel({
  physicianId,
  overrides,
  onPreview,
}: {
  physicianId: string;
  overrides: AssignmentOverride[];
  onPreview: OnPreview;
}) {
  const { byId: locations } = useLocations();
  const { start, view } = usePending(onPreview);
  const today = todayIn(viewerZone);
  const upcoming = overrides
    .filter((o) => o.endDate >= today)
    .sort((a, b) => a.startDate.localeCompare(b.startDate));
  if (upcoming.length === 0)
    return <Text size="sm">No current or upcoming rotations or temporary assignments.</Text>;
  return (
    <Stack>
      <Table.ScrollContainer minWidth={620}>
        <Table striped aria-label="Rotations and temporary assignments">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Dates</Table.Th>
              <Table.Th>Days and time</Table.Th>
              <Table.Th>Location</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {upcoming.map((o) => (
              <Table.Tr key={o.id}>
                <Table.Td>{o.rotationName ?? humanize(o.kind)}</Table.Td>
                <Table.Td>
                  {o.startDate} → {o.endDate}
                </Table.Td>
                <Table.Td>
                  {o.weekdays.map((w) => weekdayName(w).slice(0, 3)).join(", ")} {o.startTime}–{o.endTime}
                </Table.Td>
                <Table.Td>
                  <LocationBadge location={locations.get(o.locationId)} />
                </Table.Td>
                <Table.Td>
                  <Button
                    size="compact-xs"
                    variant="light"
                    color="red"
                    onClick={() =>
                      start({
                        input: { change: "remove_override", physicianId, overrideId: o.id },
                        range: clampRange(laterDate(o.startDate, today), o.endDate),
                        label: "Remove it",
                      })
                    }
                  >
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {view}
    </Stack>
  );
}
