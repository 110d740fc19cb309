/**
 * Prescriptions and rides as every role sees them: status labels, the lists, and the patient's
 * transport-need switch (src/integrations/pharmacy and src/integrations/transport).
 */
import { Badge, Switch, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { Prescription, PrescriptionStatus } from "../../../src/integrations/pharmacy/schema.js";
import type {
  patientRides,
  Ride,
  RideStatus,
  TransportNeed,
} from "../../../src/integrations/transport/schema.js";
import { api, fieldErrorsOf } from "./api.js";
import { ErrorAlert } from "./ui.js";

export type { Prescription, Ride, TransportNeed };
export type PatientRides = z.infer<typeof patientRides>;

const PRESCRIPTION_LABELS: Record<PrescriptionStatus, [string, string]> = {
  not_sent: ["Not sent yet", "orange.9"],
  accepted: ["Sent, accepted by the pharmacy", "blue.9"],
  filled: ["Filled", "teal.9"],
  ready: ["Ready for pickup", "green.9"],
  picked_up: ["Picked up", "gray.7"],
  rejected: ["Rejected by the pharmacy", "red.9"],
  withheld: ["Not sent: the pharmacy network serves other regions", "gray.7"],
};

const RIDE_LABELS: Record<RideStatus, [string, string]> = {
  not_sent: ["Not sent yet", "orange.9"],
  requested: ["Requested", "blue.9"],
  scheduled: ["Scheduled", "green.9"],
  completed: ["Completed", "gray.7"],
  cancelled: ["Cancelled", "red.9"],
  withheld: ["Not sent: the transport service serves other regions", "gray.7"],
};

/** Outline badges in shade 9 (or gray 7): text well above 4.5:1 on white; the words carry the meaning. */
function Status({ label, color }: { label: string; color: string }) {
  return (
    <Badge variant="outline" color={color} style={{ textTransform: "none" }}>
      {label}
    </Badge>
  );
}

export function PrescriptionStatusBadge({ status }: { status: PrescriptionStatus }) {
  const [label, color] = PRESCRIPTION_LABELS[status];
  return <Status label={label} color={color} />;
}

export function RideStatusBadge({ status }: { status: RideStatus }) {
  const [label, color] = RIDE_LABELS[status];
  return <Status label={label} color={color} />;
}

export function usePrescriptions(patientId: string | null, appointmentId?: string) {
  return useQuery({
    queryKey: ["prescriptions", patientId, appointmentId ?? null],
    enabled: !!patientId,
    queryFn: () => api.get<Prescription[]>(`/api/v1/patients/${patientId}/prescriptions`, { appointmentId }),
  });
}

export function usePatientRides(patientId: string | null) {
  return useQuery({
    queryKey: ["rides", "patient", patientId],
    enabled: !!patientId,
    queryFn: () => api.get<PatientRides>(`/api/v1/patients/${patientId}/rides`),
  });
}

export function PrescriptionsTable({ items, label }: { items: Prescription[]; label: string }) {
  if (!items.length) return <Text c="dimmed">No prescriptions yet.</Text>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Prescribed</Table.Th>
            <Table.Th>Medication</Table.Th>
            <Table.Th>Dose and quantity</Table.Th>
            <Table.Th>Pharmacy</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>
                <time dateTime={p.createdAt}>{new Date(p.createdAt).toLocaleDateString()}</time>
              </Table.Td>
              <Table.Td>{p.medication.name}</Table.Td>
              <Table.Td>
                {p.dose} · {p.quantity}, {p.refills === 1 ? "1 refill" : `${p.refills} refills`}
                {p.notes ? (
                  <Text size="sm" c="dimmed">
                    {p.notes}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                {p.pharmacy.name}
                {p.pharmacy.address ? (
                  <Text size="sm" c="dimmed">
                    {p.pharmacy.address}
                  </Text>
                ) : null}
              </Table.Td>
              <Table.Td>
                <PrescriptionStatusBadge status={p.status} />
                {p.status === "not_sent" && p.lastError ? (
                  <Text size="sm" c="red.9">
                    {p.lastError}
                  </Text>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** When the ride picks up, as the pickup place's wall clock reads ("YYYY-MM-DDTHH:MM"). */
export const pickupText = (r: Ride): string => r.pickupLocal.replace("T", " ");

export function RidesTable({
  rides,
  label,
  showPatient,
}: {
  rides: Ride[];
  label: string;
  showPatient?: boolean;
}) {
  if (!rides.length) return <Text c="dimmed">No rides.</Text>;
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table striped aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {showPatient ? <Table.Th>Patient</Table.Th> : null}
            <Table.Th>Pickup</Table.Th>
            <Table.Th>From → to</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rides.map((r) => (
            <Table.Tr key={r.id}>
              {showPatient ? <Table.Td>{r.patientName}</Table.Td> : null}
              <Table.Td>
                <time dateTime={r.pickupAt}>{pickupText(r)}</time>
                <Text size="sm" c="dimmed">
                  {r.travelMinutes} min on the road
                </Text>
              </Table.Td>
              <Table.Td>
                {r.origin === "home" ? "Home" : (r.fromLocationName ?? "Earlier visit")} → {r.locationName}
              </Table.Td>
              <Table.Td>
                <RideStatusBadge status={r.status} />
                {r.status === "not_sent" && r.lastError ? (
                  <Text size="sm" c="red.9">
                    Last error: {r.lastError}
                  </Text>
                ) : null}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The patient's "needs transport" switch; staff flag it, patients and guardians say it themselves. */
export function TransportNeedSwitch({ patientId, need }: { patientId: string; need: TransportNeed }) {
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: (needed: boolean) =>
      api.put<TransportNeed>(`/api/v1/patients/${patientId}/transport-need`, { needed, note: need.note }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["rides"] }),
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <>
      <Switch
        label="Needs transport to appointments"
        description={
          need.source
            ? `Last set by ${need.source === "staff" ? "the front desk" : "the patient"}`
            : undefined
        }
        checked={save.isPending ? !!save.variables : need.needed}
        disabled={save.isPending}
        onChange={(e) => save.mutate(e.currentTarget.checked)}
        error={errors.needed ?? errors.note}
      />
      <ErrorAlert
        error={save.error}
        title="The transport need was not saved"
        shownFields={["needed", "note"]}
      />
    </>
  );
}
