/**
 * Booking for a patient at the desk: here, or at another location of the network (a referral).
 * Staff book directly — the patient is in front of them, so there is no hold to confirm.
 */
import {
  Alert,
  Button,
  Checkbox,
  Grid,
  Group,
  Paper,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, type FieldErrors, fieldErrorsOf, idempotencyKey } from "../shared/api.js";
import { OptionList, sortOptions } from "../shared/OptionList.js";
import {
  patientName,
  useAppointmentTypes,
  useLocations,
  usePatient,
  usePhysicians,
  useSpecialties,
} from "../shared/queries.js";
import { ButtonLink, Link, useLocation } from "../shared/router.js";
import { DateRangeField, LocationsField, PhysicianField, SpecialtyField } from "../shared/SearchFields.js";
import { type NetworkSearch, searchNetwork } from "../shared/search.js";
import { addDays, formatDateTime, todayIn } from "../shared/time.js";
import type { Appointment, Me, Patient, Referral, SlotOptionDto } from "../shared/types.js";
import { ErrorAlert, Loading, PageTitle } from "../shared/ui.js";
import { PatientFinder } from "./PatientFinder.js";

export function BookPage({ me }: { me: Me }) {
  const { search: params } = useLocation();
  const rescheduleId = params.get("reschedule");
  // booking from the referral queue: the referral links the appointment
  const referralId = params.get("referral");
  const { byId: locations, locations: all } = useLocations();
  const home = me.locationIds[0] ?? "";
  const zone = locations.get(home)?.timeZone ?? "UTC";
  const today = todayIn(zone);
  const preset = usePatient(params.get("patient"));
  const [chosen, setChosen] = useState<Patient | null>(null);
  const patient = chosen ?? preset.data ?? null;
  const [specialty, setSpecialty] = useState<string | null>(params.get("specialty"));
  const [typeId, setTypeId] = useState<string | null>(params.get("type"));
  const [physicianId, setPhysicianId] = useState<string | null>(params.get("physician"));
  const [locationIds, setLocationIds] = useState<string[]>(home ? [home] : []);
  const [range, setRange] = useState<[string | null, string | null]>([today, addDays(today, 14)]);
  const [overrideReason, setOverrideReason] = useState("");
  const [stepFreeChoice, setStepFree] = useState<boolean | null>(null);
  const [telehealth, setTelehealth] = useState(false);
  // a wheelchair user or step-free need asks for step-free rooms unless the desk says otherwise
  const stepFree =
    stepFreeChoice ?? !!patient?.accessibilityNeeds.some((n) => n === "wheelchair" || n === "step_free");
  const [submitted, setSubmitted] = useState<NetworkSearch | null>(null);
  const [formErrors, setFormErrors] = useState<FieldErrors>({});
  const [booked, setBooked] = useState<Appointment | null>(null);
  const [key, setKey] = useState(idempotencyKey);

  const specialties = useSpecialties();
  const types = useAppointmentTypes(specialty);
  const physicians = usePhysicians({ specialty: specialty ?? undefined });
  const type = typeId ? types.byId.get(typeId) : undefined;
  const results = useQuery({
    queryKey: ["availability", "staff", submitted],
    enabled: submitted !== null,
    queryFn: () => searchNetwork(submitted!),
  });
  const book = useMutation({
    mutationFn: (o: SlotOptionDto) =>
      rescheduleId
        ? api.post<Appointment>(`/api/v1/appointments/${rescheduleId}/reschedule`, { optionId: o.id })
        : referralId
          ? api
              .post<Referral>(`/api/v1/referrals/${referralId}/book`, { optionId: o.id })
              .then((r) => api.get<Appointment>(`/api/v1/appointments/${r.appointmentId}`))
          : api.post<Appointment>(
              "/api/v1/appointments",
              { optionId: o.id, patientId: patient!.id, ...(overrideReason ? { overrideReason } : {}) },
              { "idempotency-key": key },
            ),
    onSuccess: (a) => {
      setBooked(a);
      setSubmitted(null);
      setKey(idempotencyKey());
    },
  });
  const errors = { ...fieldErrorsOf(results.error), ...fieldErrorsOf(book.error), ...formErrors };

  function submit(e: FormEvent) {
    e.preventDefault();
    const errs: FieldErrors = {};
    if (!patient) errs.patientId = "find the patient first";
    if (!specialty) errs.specialty = "choose a specialty";
    if (!typeId) errs.appointmentTypeId = "choose a type of visit";
    if (!range[0] || !range[1]) errs.from = "choose the first and the last day";
    setFormErrors(errs);
    if (Object.keys(errs).length) return;
    setBooked(null);
    setSubmitted({
      appointmentTypeId: typeId!,
      specialty,
      physicianId,
      locationIds,
      patientId: patient!.id,
      from: range[0]!,
      to: range[1]!,
      stepFree,
      telehealth,
      overrideReason: overrideReason.trim() || undefined,
    });
  }

  const referral = booked && !me.locationIds.includes(booked.locationId);
  return (
    <>
      <PageTitle description="Book here or at any location of the network; a booking elsewhere is a referral.">
        {rescheduleId ? "Reschedule an appointment" : "Book for a patient"}
      </PageTitle>
      <Stack>
        {booked ? (
          <Alert
            color="green"
            title={referral ? "Referral booked" : rescheduleId ? "Moved" : "Booked"}
            role="status"
          >
            <Stack gap={4}>
              <Text>
                {formatDateTime(booked.start, booked.local.timeZone)} at{" "}
                {locations.get(booked.locationId)?.name}
                {patient ? ` for ${patientName(patient)}` : ""}.
              </Text>
              {referral ? (
                <Text size="sm">That location's front desk now looks after this appointment.</Text>
              ) : (
                <Link to={`/staff/appointments/${booked.id}`}>Open the appointment</Link>
              )}
            </Stack>
          </Alert>
        ) : null}
        <Paper withBorder p="md">
          <Title order={2} size="h4" mb="xs">
            Patient
          </Title>
          {patient ? (
            <Group justify="space-between">
              <Text data-testid="chosen-patient">
                {patientName(patient)} · MRN {patient.mrn} · born {patient.birthDate}
              </Text>
              {!rescheduleId ? (
                <Button variant="subtle" size="xs" onClick={() => setChosen(null)}>
                  Change patient
                </Button>
              ) : null}
            </Group>
          ) : preset.isFetching ? (
            <Loading />
          ) : (
            <PatientFinder onChoose={setChosen} error={errors.patientId} />
          )}
        </Paper>
        <Paper withBorder p="md">
          <form onSubmit={submit} noValidate aria-label="Find a time">
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
                  disabled={!!rescheduleId}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
                <Select
                  label="Type of visit"
                  required
                  data={types.types.map((t) => ({ value: t.id, label: t.name }))}
                  value={typeId}
                  onChange={setTypeId}
                  error={errors.appointmentTypeId}
                  disabled={!specialty || !!rescheduleId}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 6, md: 4 }}>
                <PhysicianField
                  physicians={physicians.data?.items ?? []}
                  value={physicianId}
                  onChange={setPhysicianId}
                  error={errors.physicianId}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 6, md: 6 }}>
                <LocationsField
                  locations={all}
                  description="Add another location to refer the patient there."
                  value={locationIds}
                  onChange={setLocationIds}
                  error={errors.locationIds}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 6, md: 6 }}>
                <DateRangeField
                  value={range}
                  onChange={setRange}
                  minDate={today}
                  error={errors.from ?? errors.to}
                />
              </Grid.Col>
              {type?.visitKind === "follow_up" ? (
                <Grid.Col span={12}>
                  <TextInput
                    label="Offer other physicians because… (optional)"
                    description="Follow-ups stay with the same physician unless you say why not."
                    value={overrideReason}
                    onChange={(e) => setOverrideReason(e.currentTarget.value)}
                    error={errors.overrideReason}
                  />
                </Grid.Col>
              ) : null}
            </Grid>
            <Group justify="space-between" mt="md">
              <Group gap="lg">
                <Checkbox
                  label="Step-free room"
                  checked={stepFree}
                  onChange={(e) => setStepFree(e.currentTarget.checked)}
                />
                <Checkbox
                  label="A video visit is fine"
                  description="Adds the network's video clinics to the locations searched"
                  checked={telehealth}
                  onChange={(e) => setTelehealth(e.currentTarget.checked)}
                />
              </Group>
              <Button type="submit" loading={results.isFetching}>
                Find times
              </Button>
            </Group>
          </form>
        </Paper>
        <ErrorAlert
          error={results.error}
          title="The search did not work"
          shownFields={["specialty", "appointmentTypeId", "from", "to", "overrideReason", "physicianId"]}
        />
        <ErrorAlert error={book.error} title="Not booked" shownFields={["overrideReason"]} />
        {submitted && results.isPending ? <Loading label="Searching…" /> : null}
        {results.data && submitted ? (
          results.data.length === 0 ? (
            <Text>No times found. Try more days or more locations.</Text>
          ) : (
            <OptionList
              options={sortOptions(results.data, "earliest", [])}
              locations={locations}
              grouped
              onChoose={(o) => book.mutate(o)}
              busyId={book.isPending ? book.variables?.id : undefined}
              actionLabel={rescheduleId ? "Move here" : "Book"}
            />
          )
        ) : null}
        {rescheduleId && booked ? <ButtonLink to="/staff">Back to today</ButtonLink> : null}
      </Stack>
    </>
  );
}
