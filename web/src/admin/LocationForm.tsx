/** A location's own details: address, zone, hours, parking, accessibility, amenities, transport. */
import {
  ActionIcon,
  Button,
  Grid,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { TimeInput } from "@mantine/dates";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { locationInput, locationKinds, locationPatch } from "../../../src/services/locations/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { navigate } from "../shared/router.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { WEEKDAYS } from "../shared/time.js";
import type { Location } from "../shared/types.js";
import { ErrorAlert, humanize } from "../shared/ui.js";

type Draft = Omit<Location, "id" | "createdAt" | "updatedAt">;

const EMPTY: Draft = {
  code: "",
  name: "",
  kind: "satellite",
  addressLine: null,
  city: null,
  region: null,
  postalCode: null,
  country: "US",
  latitude: null,
  longitude: null,
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  phone: null,
  openingHours: [],
  parking: { spaces: 0, accessibleSpaces: 0, costCentsPerHour: 0, notes: null },
  accessibilityFeatures: [],
  amenities: [],
  publicTransport: null,
  services: [],
  dataResidency: "us",
  active: true,
};

const ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "UTC"];
  }
})();

/** Only what changed is sent, so two administrators editing different fields do not undo each other. */
function changes(before: Draft, after: Draft): Partial<Draft> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof Draft)[])
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = after[key];
  return out as Partial<Draft>;
}

const blank = (s: string): string | null => (s.trim() === "" ? null : s);

export function LocationForm({ location }: { location: Location | null }) {
  const client = useQueryClient();
  const original: Draft = location ?? EMPTY;
  const [draft, setDraft] = useState<Draft>(original);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const save = useMutation({
    mutationFn: (body: unknown) =>
      location
        ? api.patch<Location>(`/api/v1/locations/${location.id}`, body)
        : api.post<Location>("/api/v1/locations", body),
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ["locations"] });
      client.setQueryData(["location", saved.id], saved);
      notifications.show({ color: "green", title: "Saved", message: `${saved.name} is saved.` });
      if (!location) navigate(`/admin/locations/${saved.id}`, { replace: true });
    },
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };

  function submit(e: FormEvent) {
    e.preventDefault();
    const checked = location
      ? validate(locationPatch, changes(original, draft))
      : validate(locationInput, draft);
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    save.mutate(checked.data);
  }

  const hours = draft.openingHours;
  return (
    <form onSubmit={submit} noValidate aria-label="Location details">
      <Stack>
        <ErrorAlert error={save.error} title="Not saved" shownFields={Object.keys(errors)} />
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="sm">
            Identity and address
          </Title>
          <Grid>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <TextInput
                label="Code"
                required
                value={draft.code}
                onChange={(e) => set("code", e.currentTarget.value.toUpperCase())}
                error={errors.code}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 8 }}>
              <TextInput
                label="Name"
                required
                value={draft.name}
                onChange={(e) => set("name", e.currentTarget.value)}
                error={errors.name}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Select
                label="Kind"
                data={locationKinds.map((k) => ({ value: k, label: humanize(k) }))}
                value={draft.kind}
                onChange={(v) => v && set("kind", v as Draft["kind"])}
                allowDeselect={false}
                error={errors.kind}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <SearchableSelect
                label="Time zone"
                data={ZONES}
                value={draft.timeZone}
                onChange={(v) => v && set("timeZone", v)}
                allowDeselect={false}
                error={errors.timeZone}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <TextInput
                label="Phone"
                value={draft.phone ?? ""}
                onChange={(e) => set("phone", blank(e.currentTarget.value))}
                error={errors.phone}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <TextInput
                label="Street address"
                value={draft.addressLine ?? ""}
                onChange={(e) => set("addressLine", blank(e.currentTarget.value))}
                error={errors.addressLine}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 3 }}>
              <TextInput
                label="City"
                value={draft.city ?? ""}
                onChange={(e) => set("city", blank(e.currentTarget.value))}
                error={errors.city}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 1.5 }}>
              <TextInput
                label="Region"
                value={draft.region ?? ""}
                onChange={(e) => set("region", blank(e.currentTarget.value))}
                error={errors.region}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 1.5 }}>
              <TextInput
                label="Postal code"
                value={draft.postalCode ?? ""}
                onChange={(e) => set("postalCode", blank(e.currentTarget.value))}
                error={errors.postalCode}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <NumberInput
                label="Latitude"
                decimalScale={5}
                value={draft.latitude ?? ""}
                onChange={(v) => set("latitude", typeof v === "number" ? v : null)}
                error={errors.latitude}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <NumberInput
                label="Longitude"
                decimalScale={5}
                value={draft.longitude ?? ""}
                onChange={(v) => set("longitude", typeof v === "number" ? v : null)}
                error={errors.longitude}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Switch
                mt="lg"
                label="Active (offered to patients)"
                checked={draft.active}
                onChange={(e) => set("active", e.currentTarget.checked)}
              />
            </Grid.Col>
          </Grid>
        </Paper>

        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="sm">
            Opening hours
          </Title>
          <Stack gap="xs">
            {hours.length === 0 ? (
              <Text size="sm">No hours: the location is treated as always open.</Text>
            ) : null}
            {hours.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: hour rows have no identity of their own but their order
              <Group key={i} gap="xs" align="end">
                <Select
                  label="Day"
                  w={150}
                  data={WEEKDAYS.map((d, n) => ({ value: String(n + 1), label: d }))}
                  value={String(h.weekday)}
                  onChange={(v) =>
                    v &&
                    set(
                      "openingHours",
                      hours.map((x, j) => (j === i ? { ...x, weekday: Number(v) } : x)),
                    )
                  }
                  allowDeselect={false}
                />
                <TimeInput
                  label="Opens"
                  value={h.opens}
                  onChange={(e) =>
                    set(
                      "openingHours",
                      hours.map((x, j) => (j === i ? { ...x, opens: e.currentTarget.value } : x)),
                    )
                  }
                  error={errors[`openingHours.${i}.opens`]}
                />
                <TimeInput
                  label="Closes"
                  value={h.closes}
                  onChange={(e) =>
                    set(
                      "openingHours",
                      hours.map((x, j) => (j === i ? { ...x, closes: e.currentTarget.value } : x)),
                    )
                  }
                  error={errors[`openingHours.${i}.closes`]}
                />
                <ActionIcon
                  variant="subtle"
                  color="red"
                  size="lg"
                  aria-label={`Remove ${WEEKDAYS[h.weekday - 1]} hours`}
                  onClick={() =>
                    set(
                      "openingHours",
                      hours.filter((_, j) => j !== i),
                    )
                  }
                >
                  ✕
                </ActionIcon>
              </Group>
            ))}
            <div>
              <Button
                variant="light"
                size="xs"
                onClick={() =>
                  set("openingHours", [...hours, { weekday: 1, opens: "08:00", closes: "17:00" }])
                }
              >
                Add hours
              </Button>
            </div>
          </Stack>
        </Paper>

        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="sm">
            Parking, access and amenities
          </Title>
          <Grid>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <NumberInput
                label="Parking spaces"
                min={0}
                value={draft.parking.spaces}
                onChange={(v) => set("parking", { ...draft.parking, spaces: Number(v) || 0 })}
                error={errors["parking.spaces"]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <NumberInput
                label="Accessible spaces"
                min={0}
                value={draft.parking.accessibleSpaces}
                onChange={(v) => set("parking", { ...draft.parking, accessibleSpaces: Number(v) || 0 })}
                error={errors["parking.accessibleSpaces"]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 3 }}>
              <NumberInput
                label="Cost per hour (cents)"
                min={0}
                value={draft.parking.costCentsPerHour}
                onChange={(v) => set("parking", { ...draft.parking, costCentsPerHour: Number(v) || 0 })}
                error={errors["parking.costCentsPerHour"]}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <TextInput
                label="Parking notes"
                value={draft.parking.notes ?? ""}
                onChange={(e) => set("parking", { ...draft.parking, notes: blank(e.currentTarget.value) })}
                error={errors["parking.notes"]}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <TagsInput
                label="Accessibility features"
                description="Press Enter after each"
                value={draft.accessibilityFeatures}
                onChange={(v) => set("accessibilityFeatures", v)}
                error={errors.accessibilityFeatures}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <TagsInput
                label="Amenities"
                description="Press Enter after each"
                value={draft.amenities}
                onChange={(v) => set("amenities", v)}
                error={errors.amenities}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <TagsInput
                label="Services"
                value={draft.services}
                onChange={(v) => set("services", v)}
                error={errors.services}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6 }}>
              <Textarea
                label="Public transport"
                autosize
                minRows={2}
                value={draft.publicTransport ?? ""}
                onChange={(e) => set("publicTransport", blank(e.currentTarget.value))}
                error={errors.publicTransport}
              />
            </Grid.Col>
          </Grid>
        </Paper>
        <Group>
          <Button type="submit" loading={save.isPending}>
            {location ? "Save changes" : "Create location"}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
