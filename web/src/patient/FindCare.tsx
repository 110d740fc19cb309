/**
 * Find care across the whole network: one search, every location's options, sorted the way the
 * patient chooses, with the locations side by side before they pick one.
 */

import {
  Alert,
  Button,
  Checkbox,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useEffect, useMemo, useState } from "react";
import { api, type FieldErrors, fieldErrorsOf } from "../shared/api.js";
import { OptionList, type SortOrder, sortOptions } from "../shared/OptionList.js";
import {
  useAppointmentTypes,
  useLocations,
  usePatient,
  usePhysicians,
  useSpecialties,
} from "../shared/queries.js";
import { Link, navigate, useLocation } from "../shared/router.js";
import { DateRangeField, LocationsField, PhysicianField, SpecialtyField } from "../shared/SearchFields.js";
import { type NetworkSearch, searchNetwork } from "../shared/search.js";
import { addDays, todayIn, viewerZone } from "../shared/time.js";
import type { Appointment, Me, SlotOptionDto } from "../shared/types.js";
import { ErrorAlert, Loading, PageTitle } from "../shared/ui.js";
import { rememberHeldOption } from "./copay.js";
import { LocationComparison } from "./LocationComparison.js";
import { usePeople } from "./people.js";
import { Suggestions } from "./Suggestions.js";

const MAX_WINDOW_DAYS = 62;

/** The waitlist's join form, filled in with the search that found nothing suitable. */
function waitlistPath(s: NetworkSearch): string {
  const q = new URLSearchParams({ for: s.patientId, type: s.appointmentTypeId, from: s.from, to: s.to });
  if (s.specialty) q.set("specialty", s.specialty);
  if (s.physicianId) q.set("physician", s.physicianId);
  if (s.locationIds.length) q.set("locations", s.locationIds.join(","));
  return `/patient/waitlist?${q.toString()}`;
}

export function FindCare({ me }: { me: Me }) {
  const { search: params } = useLocation();
  const rescheduleId = params.get("reschedule");
  const followUp = params.get("followUp") === "true";
  const { people } = usePeople(me);
  const today = todayIn(viewerZone);

  const [patientId, setPatientId] = useState(params.get("for") ?? me.patientId ?? "");
  const [specialty, setSpecialty] = useState<string | null>(params.get("specialty"));
  const [typeId, setTypeId] = useState<string | null>(params.get("type"));
  const [physicianId, setPhysicianId] = useState<string | null>(params.get("physician"));
  const [locationIds, setLocationIds] = useState<string[]>([]);
  // a published Slot's booking link names its day: search the fortnight from it
  const linkedDay = params.get("from");
  const start = linkedDay && /^\d{4}-\d{2}-\d{2}$/.test(linkedDay) && linkedDay > today ? linkedDay : today;
  const [range, setRange] = useState<[string | null, string | null]>([start, addDays(start, 14)]);
  const [stepFree, setStepFree] = useState(false);
  const [sort, setSort] = useState<SortOrder>("earliest");
  const [grouped, setGrouped] = useState(false);
  const [telehealth, setTelehealth] = useState(false);
  const [submitted, setSubmitted] = useState<NetworkSearch | null>(null);
  const [formErrors, setFormErrors] = useState<FieldErrors>({});

  const specialties = useSpecialties();
  const types = useAppointmentTypes(specialty);
  const physicians = usePhysicians({ specialty: specialty ?? undefined });
  const { locations, byId: locationsById } = useLocations();
  const patient = usePatient(patientId || null);

  // a changed specialty picks that specialty's first fitting visit type
  const typeOptions = specialty ? types.types.map((t) => ({ value: t.id, label: t.name })) : [];
  const effectiveTypeId = !specialty
    ? null
    : typeId && types.byId.has(typeId)
      ? typeId
      : (types.types.find((t) => t.visitKind === (followUp ? "follow_up" : "new"))?.id ??
        types.types[0]?.id ??
        null);

  const results = useQuery({
    queryKey: ["availability", submitted],
    enabled: submitted !== null,
    queryFn: () => searchNetwork(submitted!),
  });

  // a reschedule or follow-up link arrives with its need filled in: search straight away
  const prefilled = !!(rescheduleId || followUp) && !!specialty;
  const [autoSearched, setAutoSearched] = useState(false);
  useEffect(() => {
    if (!prefilled || autoSearched || !effectiveTypeId || !patientId || !range[0] || !range[1]) return;
    setAutoSearched(true);
    setSubmitted({
      patientId,
      specialty: specialty!,
      appointmentTypeId: effectiveTypeId,
      physicianId,
      locationIds,
      from: range[0],
      to: range[1],
      stepFree,
      telehealth,
    });
  }, [
    prefilled,
    autoSearched,
    effectiveTypeId,
    patientId,
    specialty,
    physicianId,
    locationIds,
    range,
    stepFree,
    telehealth,
  ]);

  function submit(e: FormEvent) {
    e.preventDefault();
    const errors: FieldErrors = {};
    if (!specialty) errors.specialty = "choose a specialty";
    if (!effectiveTypeId) errors.appointmentTypeId = "choose a type of visit";
    const [from, to] = range;
    if (!from || !to) errors.from = "choose the first and the last day";
    else if ((Date.parse(to) - Date.parse(from)) / 86_400_000 >= MAX_WINDOW_DAYS)
      errors.from = `search at most ${MAX_WINDOW_DAYS} days at a time`;
    if (!patientId) errors.patientId = "choose who the appointment is for";
    setFormErrors(errors);
    if (Object.keys(errors).length) return;
    setSubmitted({
      patientId,
      specialty: specialty!,
      appointmentTypeId: effectiveTypeId!,
      physicianId,
      locationIds,
      from: from!,
      to: to!,
      stepFree,
      telehealth,
    });
  }

  const choose = useMutation({
    mutationFn: async (option: SlotOptionDto): Promise<Appointment> => {
      if (rescheduleId)
        return api.post<Appointment>(`/api/v1/appointments/${rescheduleId}/reschedule`, {
          optionId: option.id,
        });
      const held = await api.post<Appointment>("/api/v1/holds", { optionId: option.id, patientId });
      rememberHeldOption(held.id, option.id);
      return held;
    },
    onSuccess: (appt) => {
      navigate(
        rescheduleId ? `/patient/appointments/${appt.id}?rescheduled=true` : `/patient/hold/${appt.id}`,
      );
    },
  });

  const errors = { ...fieldErrorsOf(results.error), ...formErrors };
  const options = useMemo(
    () => sortOptions(results.data ?? [], sort, patient.data?.preferredLocationIds ?? []),
    [results.data, sort, patient.data],
  );

  return (
    <>
      <PageTitle description="Search every hospital, satellite office and clinic in the network at once.">
        {rescheduleId ? "Choose a new time" : followUp ? "Book a follow-up" : "Find care"}
      </PageTitle>
      {people.length > 1 && !rescheduleId ? (
        <Text size="sm" mb="md">
          Booking for several of you? <Link to="/patient/family">Find one trip for the whole family</Link>
        </Text>
      ) : null}
      {rescheduleId ? (
        <Alert color="blue" mb="md" title="Rescheduling">
          Pick a new time below; your current appointment is kept until the new one is confirmed.
        </Alert>
      ) : null}
      <Paper withBorder p="md" mb="lg">
        <form onSubmit={submit} noValidate aria-label="Search for appointments">
          <Grid>
            {people.length > 1 ? (
              <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
                <Select
                  label="Who is the appointment for?"
                  data={people.map((p) => ({
                    value: p.patientId,
                    label: p.relation === "you" ? `${p.name} (you)` : p.name,
                  }))}
                  value={patientId}
                  onChange={(v) => setPatientId(v ?? "")}
                  allowDeselect={false}
                  error={errors.patientId}
                  disabled={!!rescheduleId}
                />
              </Grid.Col>
            ) : null}
            <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
              <SpecialtyField
                placeholder="e.g. Cardiology"
                specialties={specialties.data?.items ?? []}
                value={specialty}
                onChange={(v) => {
                  setSpecialty(v);
                  setTypeId(null);
                  setPhysicianId(null);
                }}
                error={errors.specialty}
                disabled={!!rescheduleId}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
              <Select
                label="Type of visit"
                required
                data={typeOptions}
                value={effectiveTypeId}
                onChange={setTypeId}
                disabled={!specialty || !!rescheduleId}
                error={errors.appointmentTypeId}
                allowDeselect={false}
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
          <Group mt="md" justify="space-between">
            <Group gap="lg">
              <Checkbox
                label="Step-free access to the room"
                checked={stepFree}
                onChange={(e) => setStepFree(e.currentTarget.checked)}
              />
              <Checkbox
                label="A video visit is fine"
                checked={telehealth}
                onChange={(e) => setTelehealth(e.currentTarget.checked)}
              />
            </Group>
            <Button type="submit" loading={results.isFetching}>
              Search
            </Button>
          </Group>
        </form>
      </Paper>

      <ErrorAlert
        error={results.error}
        title="The search did not work"
        shownFields={["specialty", "appointmentTypeId", "from", "to", "locationIds", "physicianId"]}
      />
      <ErrorAlert error={choose.error} title="That time could not be held" />
      {submitted && results.isPending ? <Loading label="Searching the network…" /> : null}
      {results.data ? (
        <Stack gap="lg">
          <Group justify="space-between" align="end">
            <Title order={2} size="h3" id="results-heading">
              {options.length === 0 ? "No times available" : `${options.length} options across the network`}
            </Title>
            <Group gap="md">
              <SegmentedControl
                aria-label="Sort options"
                value={sort}
                onChange={(v) => setSort(v as SortOrder)}
                data={[
                  { value: "earliest", label: "Earliest" },
                  { value: "nearest", label: "Nearest" },
                  { value: "preferred", label: "Preferred locations" },
                ]}
              />
              <Switch
                label="Group by location"
                checked={grouped}
                onChange={(e) => setGrouped(e.currentTarget.checked)}
              />
            </Group>
          </Group>
          {submitted && !rescheduleId ? (
            <Alert color="blue" title={options.length === 0 ? "Nothing free yet" : "None of these suit you?"}>
              <Text size="sm">
                Join the waitlist for this need: when a time that fits frees up, we keep it for you and tell
                you.{" "}
                <Link to={waitlistPath(submitted)} underline="always">
                  Join the waitlist
                </Link>
              </Text>
            </Alert>
          ) : null}
          {options.length === 0 ? (
            <Text>Try more days, another location or any physician.</Text>
          ) : (
            <>
              {submitted ? (
                <Suggestions
                  search={submitted}
                  onChoose={(o) => choose.mutate(o)}
                  busyId={choose.isPending ? choose.variables?.id : undefined}
                  actionLabel={rescheduleId ? "Move to this time" : "Book"}
                />
              ) : null}
              <LocationComparison
                options={options}
                locations={locationsById}
                home={patient.data?.address ?? null}
                onBook={(o) => choose.mutate(o)}
                busy={choose.isPending}
                actionLabel={rescheduleId ? "Move here" : "Book earliest here"}
              />
              <OptionList
                options={options}
                locations={locationsById}
                grouped={grouped}
                onChoose={(o) => choose.mutate(o)}
                busyId={choose.isPending ? choose.variables?.id : undefined}
                actionLabel={rescheduleId ? "Move to this time" : "Book"}
              />
            </>
          )}
        </Stack>
      ) : null}
    </>
  );
}
