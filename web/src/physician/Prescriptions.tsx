/**
 * Prescribing during the visit, on the patient's record: the physician picks one of their own
 * visits with the patient (today's first), a medication from the coded list, dose, quantity,
 * refills and notes; below, the patient's prescriptions with the pharmacy's status.
 */
import {
  Button,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type Medication, prescribeInput } from "../../../src/integrations/pharmacy/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { type Prescription, PrescriptionsTable, usePrescriptions } from "../shared/care.js";
import { formatDateTime } from "../shared/time.js";
import type { Appointment } from "../shared/types.js";
import { ErrorAlert, QueryView } from "../shared/ui.js";

const PRESCRIBABLE = new Set(["booked", "checked_in", "completed"]);
const FIELDS = ["medicationCode", "dose", "quantity", "refills", "notes"] as const;

/** The physician's own visits with the patient that take a prescription, nearest to now first. */
function visitsToPrescribeIn(items: Appointment[], physicianId: string | null): Appointment[] {
  const now = Date.now();
  return items
    .filter((a) => a.physicianId === physicianId && PRESCRIBABLE.has(a.status))
    .sort((a, b) => Math.abs(Date.parse(a.start) - now) - Math.abs(Date.parse(b.start) - now));
}

export function PatientPrescriptions({
  patientId,
  physicianId,
  appointments,
}: {
  patientId: string;
  physicianId: string | null;
  appointments: Appointment[];
}) {
  const list = usePrescriptions(patientId);
  const visits = visitsToPrescribeIn(appointments, physicianId);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="prescriptions">
      <Title order={2} size="h3" id="prescriptions" mb="sm">
        Prescriptions
      </Title>
      <Stack>
        {visits.length ? (
          <PrescribeForm patientId={patientId} visits={visits} />
        ) : (
          <Paper bg="gray.0" p="sm">
            No visit of yours with this patient to prescribe in (booked, checked in or completed).
          </Paper>
        )}
        <QueryView query={list} label="Loading prescriptions…">
          {(items) => <PrescriptionsTable items={items} label="The patient's prescriptions" />}
        </QueryView>
      </Stack>
    </Paper>
  );
}

function PrescribeForm({ patientId, visits }: { patientId: string; visits: Appointment[] }) {
  const client = useQueryClient();
  const medications = useQuery({
    queryKey: ["medications"],
    queryFn: () => api.get<Medication[]>("/api/v1/medications"),
    staleTime: 60 * 60_000,
  });
  const [visitId, setVisitId] = useState(visits[0]!.id);
  const [medicationCode, setMedicationCode] = useState<string | null>(null);
  const [dose, setDose] = useState("");
  const [quantity, setQuantity] = useState<number | string>(30);
  const [refills, setRefills] = useState<number | string>(0);
  const [notes, setNotes] = useState("");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const prescribe = useMutation({
    mutationFn: (body: unknown) =>
      api.post<Prescription>(`/api/v1/appointments/${visitId}/prescriptions`, body),
    onSuccess: (made) => {
      void client.invalidateQueries({ queryKey: ["prescriptions", patientId] });
      notifications.show({
        color: "green",
        message: `${made.medication.name} prescribed, to ${made.pharmacy.name}`,
      });
      setMedicationCode(null);
      setDose("");
      setNotes("");
    },
  });
  const errors = { ...fieldErrorsOf(prescribe.error), ...clientErrors };

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const body = {
      medicationCode: medicationCode ?? "",
      dose,
      quantity: typeof quantity === "number" ? quantity : Number.NaN,
      refills: typeof refills === "number" ? refills : Number.NaN,
      notes: notes.trim() ? notes : null,
    };
    const checked = validate(prescribeInput, body);
    if (!checked.ok) {
      setClientErrors(checked.errors);
      return;
    }
    setClientErrors({});
    prescribe.mutate(checked.data);
  }

  return (
    <form onSubmit={submit} aria-label="Prescribe" noValidate>
      <Stack gap="sm">
        <Title order={3} size="h4">
          Prescribe
        </Title>
        <ErrorAlert error={prescribe.error} title="The prescription was not made" shownFields={FIELDS} />
        <ErrorAlert error={medications.error} title="The medication list did not load" />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Select
            label="Visit"
            data={visits.map((v) => ({
              value: v.id,
              label: `${formatDateTime(v.start, v.local.timeZone)} (${v.status.replace("_", " ")})`,
            }))}
            value={visitId}
            onChange={(v) => v && setVisitId(v)}
            allowDeselect={false}
          />
          <Select
            label="Medication"
            placeholder="Choose a medication"
            required
            data={(medications.data ?? []).map((m) => ({ value: m.code, label: m.name }))}
            value={medicationCode}
            onChange={setMedicationCode}
            error={errors.medicationCode}
          />
          <TextInput
            label="Dose"
            description="e.g. one tablet by mouth daily"
            required
            value={dose}
            onChange={(e) => setDose(e.currentTarget.value)}
            error={errors.dose}
          />
          <Group grow align="start">
            <NumberInput
              label="Quantity"
              required
              min={1}
              max={1000}
              allowDecimal={false}
              value={quantity}
              onChange={setQuantity}
              error={errors.quantity}
            />
            <NumberInput
              label="Refills"
              required
              min={0}
              max={12}
              allowDecimal={false}
              value={refills}
              onChange={setRefills}
              error={errors.refills}
            />
          </Group>
        </SimpleGrid>
        <Textarea
          label="Notes for the pharmacy"
          autosize
          minRows={2}
          maxLength={1000}
          value={notes}
          onChange={(e) => setNotes(e.currentTarget.value)}
          error={errors.notes}
        />
        <Group>
          <Button type="submit" loading={prescribe.isPending}>
            Prescribe
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
