/** The waitlist on screen, for patients and front desks alike: the join form, entries, offers. */
import {
  Badge,
  Button,
  Checkbox,
  Grid,
  Group,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { entryInput, timesOfDay, urgencies } from "../../../src/services/waitlist/schema.js";
import { api, type FieldErrors, fieldErrorsOf, type Page, validate } from "./api.js";
import { useAppointmentTypes, useLocations, usePhysicians, useSpecialties } from "./queries.js";
import { DateRangeField, LocationsField, PhysicianField, SpecialtyField } from "./SearchFields.js";
import { addDays, todayIn, viewerZone, zonedInstant } from "./time.js";
import type { WaitlistEntry, WaitlistOffer, WaitlistStats } from "./types.js";
import { ErrorAlert, humanize } from "./ui.js";

export type WaitlistQuery = Record<string, string | number | undefined>;

export function useWaitlistEntries(query: WaitlistQuery, enabled = true) {
  return useQuery({
    queryKey: ["waitlist", "entries", query],
    enabled,
    queryFn: () => api.get<Page<WaitlistEntry>>("/api/v1/waitlist/entries", { limit: 100, ...query }),
  });
}

export function useWaitlistOffers(query: WaitlistQuery, enabled = true) {
  return useQuery({
    queryKey: ["waitlist", "offers", query],
    enabled,
    queryFn: () => api.get<Page<WaitlistOffer>>("/api/v1/waitlist/offers", { limit: 50, ...query }),
  });
}

export function useWaitlistStats(locationId: string | null) {
  return useQuery({
    queryKey: ["waitlist", "stats", locationId],
    enabled: !!locationId,
    queryFn: () => api.get<WaitlistStats>("/api/v1/waitlist/stats", { locationId: locationId ?? undefined }),
  });
}

/** The current time, renewed every `everyMs` (countdowns). */
export function useNow(everyMs = 15_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

/** "1 h 52 min left", "4 min left", or null once past. */
export function timeLeft(expiresAt: string, now: number): string | null {
  const minutes = Math.floor((Date.parse(expiresAt) - now) / 60_000);
  if (minutes < 0) return null;
  if (minutes < 1) return "less than a minute left";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h} h ${m} min left` : `${m} min left`;
}

const STATUS_COLOR: Record<string, string> = {
  waiting: "blue",
  offered: "yellow",
  booked: "green",
  accepted: "green",
  declined: "gray",
  withdrawn: "gray",
  expired: "gray",
};

export function WaitlistStatus({ status }: { status: string }) {
  return (
    <Badge color={STATUS_COLOR[status] ?? "gray"} variant="outline" style={{ textTransform: "none" }}>
      {humanize(status)}
    </Badge>
  );
}

const URGENCY_COLOR: Record<string, string> = { urgent: "red", soon: "orange", routine: "gray" };

export function WaitlistUrgency({ urgency }: { urgency: string }) {
  return (
    // dark text on the light tint keeps AA contrast whatever the tint
    <Badge color={URGENCY_COLOR[urgency] ?? "gray"} variant="light" c="dark.7">
      {humanize(urgency)}
    </Badge>
  );
}

/** What an entry waits for, in words: "Cardiology · any physician · 3 Dec – 17 Dec · mornings". */
export function useNeedText() {
  const { byId: locations } = useLocations();
  const { byId: types } = useAppointmentTypes();
  return (e: WaitlistEntry) => {
    const where = e.locationIds.length
      ? e.locationIds.map((id) => locations.get(id)?.name ?? "a location").join(", ")
      : e.maxDistanceKm
        ? `within ${e.maxDistanceKm} km`
        : "anywhere";
    const days = `${e.from.slice(0, 10)} to ${e.to.slice(0, 10)}`;
    return [
      types.get(e.appointmentTypeId)?.name ?? humanize(e.specialty ?? "visit"),
      where + (e.telehealthOk ? " or by video" : ""),
      days,
      e.timesOfDay.length ? e.timesOfDay.join(", ") : "any time of day",
    ].join(" · ");
  };
}

export interface JoinDefaults {
  specialty?: string | null;
  appointmentTypeId?: string | null;
  physicianId?: string | null;
  locationIds?: string[];
  from?: string | null;
  to?: string | null;
}

/**
 * Joins the waitlist for a patient: a specialty or a physician, a type of visit, where, when, and
 * (the care team only) how urgent. Checked with the API's own schema before it is sent.
 */
export function JoinWaitlistForm({
  patientId,
  staff,
  defaults = {},
  onJoined,
}: {
  patientId: string | null;
  staff: boolean;
  defaults?: JoinDefaults;
  onJoined?: (e: WaitlistEntry) => void;
}) {
  const today = todayIn(viewerZone);
  const client = useQueryClient();
  const [specialty, setSpecialty] = useState<string | null>(defaults.specialty ?? null);
  const [typeId, setTypeId] = useState<string | null>(defaults.appointmentTypeId ?? null);
  const [physicianId, setPhysicianId] = useState<string | null>(defaults.physicianId ?? null);
  const [locationIds, setLocationIds] = useState<string[]>(defaults.locationIds ?? []);
  const [maxKm, setMaxKm] = useState<number | string>("");
  const [telehealthOk, setTelehealthOk] = useState(false);
  const [range, setRange] = useState<[string | null, string | null]>([
    defaults.from ?? today,
    defaults.to ?? addDays(today, 28),
  ]);
  const [times, setTimes] = useState<string[]>([]);
  const [urgency, setUrgency] = useState<string | null>("routine");
  const [note, setNote] = useState("");
  const [formErrors, setFormErrors] = useState<FieldErrors>({});
  const specialties = useSpecialties();
  const types = useAppointmentTypes(specialty);
  const physicians = usePhysicians({ specialty: specialty ?? undefined });
  const { locations } = useLocations();

  const join = useMutation({
    mutationFn: (body: unknown) => api.post<WaitlistEntry>("/api/v1/waitlist/entries", body),
    onSuccess: (e) => {
      void client.invalidateQueries({ queryKey: ["waitlist"] });
      onJoined?.(e);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const [first, last] = range;
    const body = {
      patientId: patientId ?? "",
      appointmentTypeId: typeId ?? "",
      specialty: specialty ?? undefined,
      physicianId: physicianId ?? undefined,
      locationIds,
      maxDistanceKm: typeof maxKm === "number" && maxKm > 0 && !locationIds.length ? maxKm : undefined,
      telehealthOk,
      // whole local days, the first from midnight to the end of the last
      from: first ? zonedInstant(first, "00:00", viewerZone) : "",
      to: last ? zonedInstant(addDays(last, 1), "00:00", viewerZone) : "",
      timesOfDay: times,
      ...(staff ? { urgency: urgency ?? "routine", note: note.trim() || undefined } : {}),
    };
    const checked = validate(entryInput, body);
    if (!checked.ok) {
      setFormErrors(checked.errors);
      return;
    }
    setFormErrors({});
    join.mutate(checked.data);
  }

  const errors = { ...fieldErrorsOf(join.error), ...formErrors };
  const shown = ["patientId", "appointmentTypeId", "specialty", "physicianId", "locationIds", "from", "to"];
  return (
    <form onSubmit={submit} noValidate aria-label="Join the waitlist">
      <Stack gap="sm">
        <ErrorAlert error={join.error} title="Not added to the waitlist" shownFields={shown} />
        {errors.patientId ? (
          <Text c="red.8" size="sm" role="alert">
            {staff ? "Choose the patient first" : errors.patientId}
          </Text>
        ) : null}
        <Grid>
          <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
            <SpecialtyField
              specialties={specialties.data?.items ?? []}
              value={specialty}
              onChange={(v) => {
                setSpecialty(v);
                setTypeId(null);
                setPhysicianId(null);
              }}
              error={errors.specialty}
              disabled={false}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
            <Select
              label="Type of visit"
              required
              data={types.types.map((t) => ({ value: t.id, label: t.name }))}
              value={typeId}
              onChange={setTypeId}
              disabled={!specialty}
              error={errors.appointmentTypeId}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
            <PhysicianField
              physicians={physicians.data?.items ?? []}
              value={physicianId}
              onChange={setPhysicianId}
              disabled={!specialty}
              error={errors.physicianId}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
            <LocationsField
              locations={locations}
              value={locationIds}
              onChange={setLocationIds}
              error={errors.locationIds}
              description="Leave empty for anywhere"
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
            <NumberInput
              label="Or anywhere within (km)"
              description="Of your home address"
              min={1}
              max={2000}
              value={maxKm}
              onChange={setMaxKm}
              disabled={locationIds.length > 0}
              error={errors.maxDistanceKm}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
            <DateRangeField
              value={range}
              onChange={setRange}
              minDate={today}
              error={errors.from ?? errors.to}
            />
          </Grid.Col>
        </Grid>
        <Checkbox.Group
          label="Times of day"
          description="None chosen: any time"
          value={times}
          onChange={setTimes}
          error={errors.timesOfDay}
        >
          <Group mt={4}>
            {timesOfDay.map((t) => (
              <Checkbox key={t} value={t} label={humanize(t)} />
            ))}
          </Group>
        </Checkbox.Group>
        <Checkbox
          label="A video visit is fine"
          checked={telehealthOk}
          onChange={(e) => setTelehealthOk(e.currentTarget.checked)}
        />
        {staff ? (
          <Grid>
            <Grid.Col span={{ base: 12, sm: 4 }}>
              <Select
                label="Urgency"
                data={urgencies.map((u) => ({ value: u, label: humanize(u) }))}
                value={urgency}
                onChange={setUrgency}
                allowDeselect={false}
                error={errors.urgency}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 8 }}>
              <Textarea
                label="Note"
                autosize
                minRows={1}
                maxLength={1000}
                value={note}
                onChange={(e) => setNote(e.currentTarget.value)}
              />
            </Grid.Col>
          </Grid>
        ) : null}
        <Group justify="flex-end">
          <Button type="submit" loading={join.isPending}>
            Join the waitlist
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
