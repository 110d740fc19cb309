/**
 * The front desk's waitlist: its location's entries, offers and figures (the shared desk view),
 * and putting a patient in its reach on the waitlist.
 */
import { Alert, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { useState } from "react";
import { patientName } from "../shared/queries.js";
import type { Me, Patient, WaitlistEntry } from "../shared/types.js";
import { PageTitle } from "../shared/ui.js";
import { WaitlistDesk } from "../shared/WaitlistDesk.js";
import { JoinWaitlistForm } from "../shared/waitlist.js";
import { PatientFinder } from "./PatientFinder.js";

export function StaffWaitlistPage({ me }: { me: Me }) {
  return (
    <>
      <PageTitle description="Patients waiting for a time at your location, the times offered to them, and how quickly freed slots are filled.">
        Waitlist
      </PageTitle>
      <Stack gap="lg">
        <WaitlistDesk locationIds={me.locationIds} />
        <JoinForPatient />
      </Stack>
    </>
  );
}

function JoinForPatient() {
  const [patient, setPatient] = useState<Patient | null>(null);
  const [joined, setJoined] = useState<WaitlistEntry | null>(null);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="waitlist-join">
      <Title order={2} size="h3" id="waitlist-join" mb="sm">
        Put a patient on the waitlist
      </Title>
      {joined ? (
        <Alert color="green" role="status" mb="sm" title="Added to the waitlist">
          {patient ? patientName(patient) : "The patient"} will be offered the first time that fits.
        </Alert>
      ) : null}
      {patient ? (
        <Group mb="sm" data-testid="chosen-patient">
          <Text fw={600}>
            {patientName(patient)} · {patient.mrn}
          </Text>
          <Button size="xs" variant="subtle" onClick={() => setPatient(null)}>
            Choose another patient
          </Button>
        </Group>
      ) : (
        <PatientFinder onChoose={setPatient} />
      )}
      <JoinWaitlistForm
        key={patient?.id ?? "none"}
        patientId={patient?.id ?? null}
        staff
        onJoined={setJoined}
      />
    </Paper>
  );
}
