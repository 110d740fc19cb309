/**
 * A location's DICOM imaging worklist: the AE title modalities call (editable by administrators),
 * whether the worklist server is on, the imaging stations, today's entries as the worklist answers
 * them and the last queries. Staff see their own locations'; administrators every location's.
 */
import { Badge, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ImagingState } from "../../../src/integrations/dicom/schema.js";
import { api, fieldErrorsOf, type Page } from "./api.js";
import type { Room } from "./types.js";
import { ErrorAlert, QueryView } from "./ui.js";

const MODALITIES = ["CT", "MR", "US", "DX", "CR", "MG", "BMD", "NM", "PT", "XA", "RF", "OT"];

export function ImagingWorklist({ locationId, manage = false }: { locationId: string; manage?: boolean }) {
  const state = useQuery({
    queryKey: ["imaging", locationId],
    queryFn: () => api.get<ImagingState>(`/api/v1/locations/${locationId}/imaging`),
  });
  return (
    <QueryView query={state} label="Loading the imaging worklist…">
      {(s) => (
        <Stack gap="lg">
          <Paper withBorder p="md" component="section" aria-labelledby={`dicom-ae-${locationId}`}>
            <Title order={2} size="h4" id={`dicom-ae-${locationId}`} mb="xs">
              Worklist AE title
            </Title>
            <Group gap="sm" mb="xs">
              <Text size="sm">
                Modalities call <strong data-testid="worklist-ae-title">{s.aeTitle}</strong> for this
                location, or <strong>{s.networkAeTitle}</strong> for the whole network.
              </Text>
              <Badge color={s.port === null ? "gray.8" : "green.9"} variant="filled">
                {s.port === null ? "Worklist server off" : `Listening on port ${s.port}`}
              </Badge>
            </Group>
            {manage ? <AeTitleForm key={s.aeTitle} state={s} /> : null}
          </Paper>
          <Stations state={s} manage={manage} />
          <Entries state={s} />
          <Queries state={s} />
        </Stack>
      )}
    </QueryView>
  );
}

function AeTitleForm({ state }: { state: ImagingState }) {
  const client = useQueryClient();
  const [value, setValue] = useState(state.aeTitle);
  const save = useMutation({
    mutationFn: (aeTitle: string | null) =>
      api.put<ImagingState>(`/api/v1/locations/${state.locationId}/imaging`, { aeTitle }),
    onSuccess: (r) => client.setQueryData(["imaging", state.locationId], r),
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <form
      aria-label="Worklist AE title"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(value.trim() === state.defaultAeTitle ? null : value.trim());
      }}
    >
      <Group align="end">
        <TextInput
          label="AE title"
          description={`Up to 16 capital letters, digits, _ or -; default ${state.defaultAeTitle}`}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value.toUpperCase())}
          error={errors["body.aeTitle"]}
          maxLength={16}
        />
        <Button type="submit" loading={save.isPending} disabled={value === state.aeTitle}>
          Save
        </Button>
      </Group>
      <ErrorAlert error={save.error} shownFields={["body.aeTitle"]} />
    </form>
  );
}

function Stations({ state, manage }: { state: ImagingState; manage: boolean }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`dicom-stations-${state.locationId}`}>
      <Title order={2} size="h4" id={`dicom-stations-${state.locationId}`} mb="xs">
        Imaging stations
      </Title>
      {state.stations.length === 0 ? (
        <Text size="sm">No room is an imaging station yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table striped aria-label="Imaging stations">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Room</Table.Th>
                <Table.Th>Station AE title</Table.Th>
                <Table.Th>Modality</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {state.stations.map((s) => (
                <Table.Tr key={s.roomId}>
                  <Table.Td>
                    {s.roomCode} {s.roomName}
                  </Table.Td>
                  <Table.Td>{s.aeTitle}</Table.Td>
                  <Table.Td>{s.modality}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {manage ? <StationForm state={state} /> : null}
    </Paper>
  );
}

function StationForm({ state }: { state: ImagingState }) {
  const client = useQueryClient();
  const rooms = useQuery({
    queryKey: ["imaging-rooms", state.locationId],
    queryFn: () =>
      api.get<Page<Room>>(`/api/v1/locations/${state.locationId}/rooms`, { kind: "imaging", limit: 200 }),
  });
  const [roomId, setRoomId] = useState<string | null>(null);
  const [aeTitle, setAeTitle] = useState("");
  const [modality, setModality] = useState<string | null>("CT");
  const save = useMutation({
    mutationFn: () =>
      api.put(`/api/v1/locations/${state.locationId}/imaging/stations/${roomId}`, { aeTitle, modality }),
    onSuccess: () => client.invalidateQueries({ queryKey: ["imaging", state.locationId] }),
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <form
      aria-label="Imaging station"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Group align="end" mt="sm">
        <Select
          label="Imaging room"
          data={(rooms.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.code} ${r.name}` }))}
          value={roomId}
          onChange={setRoomId}
          error={errors["params.roomId"]}
        />
        <TextInput
          label="Station AE title"
          value={aeTitle}
          onChange={(e) => setAeTitle(e.currentTarget.value.toUpperCase())}
          error={errors["body.aeTitle"]}
          maxLength={16}
        />
        <Select
          label="Modality"
          data={MODALITIES}
          value={modality}
          onChange={setModality}
          allowDeselect={false}
        />
        <Button type="submit" loading={save.isPending} disabled={!roomId || !aeTitle}>
          Save station
        </Button>
      </Group>
      <ErrorAlert error={save.error} shownFields={["params.roomId", "body.aeTitle", "body.modality"]} />
    </form>
  );
}

function Entries({ state }: { state: ImagingState }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`dicom-today-${state.locationId}`}>
      <Title order={2} size="h4" id={`dicom-today-${state.locationId}`} mb="xs">
        Today on the worklist
      </Title>
      {state.today.length === 0 ? (
        <Text size="sm">No imaging appointment is waiting today.</Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table striped aria-label="Today on the worklist">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Patient</Table.Th>
                <Table.Th>Procedure</Table.Th>
                <Table.Th>Modality</Table.Th>
                <Table.Th>Station</Table.Th>
                <Table.Th>Accession</Table.Th>
                <Table.Th>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {state.today.map((e) => (
                <Table.Tr key={e.appointmentId}>
                  <Table.Td>{e.localTime}</Table.Td>
                  <Table.Td>
                    {e.patientName} ({e.mrn})
                  </Table.Td>
                  <Table.Td>{e.procedure}</Table.Td>
                  <Table.Td>{e.modality}</Table.Td>
                  <Table.Td>{e.stationAeTitle ?? "—"}</Table.Td>
                  <Table.Td>{e.accessionNumber}</Table.Td>
                  <Table.Td>{e.status === "checked_in" ? "Checked in" : "Booked"}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}

function Queries({ state }: { state: ImagingState }) {
  return (
    <Paper withBorder p="md" component="section" aria-labelledby={`dicom-queries-${state.locationId}`}>
      <Title order={2} size="h4" id={`dicom-queries-${state.locationId}`} mb="xs">
        Last queries
      </Title>
      {state.lastQueries.length === 0 ? (
        <Text size="sm">No modality has queried this worklist yet.</Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table striped aria-label="Last worklist queries">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>When</Table.Th>
                <Table.Th>Station</Table.Th>
                <Table.Th>Keys</Table.Th>
                <Table.Th>Entries</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {state.lastQueries.map((q) => (
                <Table.Tr key={`${q.at}-${q.callingAeTitle}`}>
                  <Table.Td>{new Date(q.at).toLocaleString()}</Table.Td>
                  <Table.Td>
                    {q.callingAeTitle} → {q.calledAeTitle}
                  </Table.Td>
                  <Table.Td>
                    {Object.entries(q.keys)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(", ") || "all"}
                  </Table.Td>
                  <Table.Td>{q.outcome === "failed" ? "refused" : q.matches}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Paper>
  );
}
