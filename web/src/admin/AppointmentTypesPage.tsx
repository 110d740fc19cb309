/** What can be booked: duration, slot grid, room kind, equipment, video, price, billing code. */
import {
  Badge,
  Button,
  Checkbox,
  Grid,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  TagsInput,
  TextInput,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import {
  appointmentTypeInput,
  appointmentTypePatch,
  roomKinds,
  visitKinds,
} from "../../../src/services/scheduling/catalog.schema.js";
import { api, type FieldErrors, fieldErrorsOf, type Page, validate } from "../shared/api.js";
import { useSpecialties } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import type { AppointmentType } from "../shared/types.js";
import { ErrorAlert, humanize, money, PageTitle, QueryView } from "../shared/ui.js";

export function AppointmentTypesPage() {
  const [specialty, setSpecialty] = useState<string | null>(null);
  const [editing, setEditing] = useState<AppointmentType | "new" | null>(null);
  const specialties = useSpecialties();
  const types = useQuery({
    queryKey: ["appointment-types", "admin", specialty],
    queryFn: () =>
      api.get<Page<AppointmentType>>("/api/v1/appointment-types", {
        specialty: specialty ?? undefined,
        limit: 500,
      }),
  });
  return (
    <>
      <PageTitle>Appointment types</PageTitle>
      <Group justify="space-between" align="end" mb="md">
        <SearchableSelect
          label="Specialty"
          clearable
          data={(specialties.data?.items ?? []).map((s) => ({ value: s.code, label: s.name }))}
          value={specialty}
          onChange={setSpecialty}
        />
        <Button onClick={() => setEditing("new")}>New appointment type</Button>
      </Group>
      <QueryView query={types} label="Loading appointment types…">
        {(p) => (
          <Table.ScrollContainer minWidth={760}>
            <Table striped aria-label="Appointment types">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Code</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Minutes</Table.Th>
                  <Table.Th>Room</Table.Th>
                  <Table.Th>Equipment</Table.Th>
                  <Table.Th>Video</Table.Th>
                  <Table.Th>Price</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.items.map((t) => (
                  <Table.Tr key={t.id}>
                    <Table.Td>{t.code}</Table.Td>
                    <Table.Td>
                      {t.name} {t.active ? null : <Badge color="gray">inactive</Badge>}
                    </Table.Td>
                    <Table.Td>{t.durationMinutes}</Table.Td>
                    <Table.Td>{t.roomKind ? humanize(t.roomKind) : "any"}</Table.Td>
                    <Table.Td>{t.equipmentKinds.join(", ") || "—"}</Table.Td>
                    <Table.Td>{t.telehealthAllowed ? "Yes" : "No"}</Table.Td>
                    <Table.Td>{money(t.basePriceCents)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="compact-xs"
                        variant="light"
                        onClick={() => setEditing(t)}
                        aria-label={`Edit ${t.name}`}
                      >
                        Edit
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
      {editing ? (
        <TypeDialog type={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}

function TypeDialog({ type, onClose }: { type: AppointmentType | null; onClose: () => void }) {
  const client = useQueryClient();
  const specialties = useSpecialties();
  const [form, setForm] = useState({
    code: type?.code ?? "",
    name: type?.name ?? "",
    specialty: type?.specialty ?? null,
    durationMinutes: type?.durationMinutes ?? 30,
    slotIntervalMinutes: type?.slotIntervalMinutes ?? 15,
    roomKind: type?.roomKind ?? null,
    equipmentKinds: type?.equipmentKinds ?? [],
    telehealthAllowed: type?.telehealthAllowed ?? false,
    visitKind: type?.visitKind ?? "new",
    basePriceCents: type?.basePriceCents ?? 0,
    billingCode: type?.billingCode ?? null,
    active: type?.active ?? true,
  });
  // typed as "72, 24"; blank keeps the network's reminder times
  const [reminders, setReminders] = useState(type?.reminderHours?.join(", ") ?? "");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) =>
      type
        ? api.patch(`/api/v1/appointment-types/${type.id}`, body)
        : api.post("/api/v1/appointment-types", body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["appointment-types"] });
      onClose();
    },
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };
  function submit() {
    const hours = reminders.trim()
      ? reminders
          .split(/[\s,]+/)
          .filter(Boolean)
          .map(Number)
      : null;
    if (hours?.some((h) => !Number.isInteger(h)))
      return setClientErrors({ reminderHours: "whole hours, separated by commas, such as 72, 24" });
    const body = {
      ...form,
      specialty: form.specialty ?? "",
      billingCode: form.billingCode || null,
      reminderHours: hours,
    };
    const checked = type ? validate(appointmentTypePatch, body) : validate(appointmentTypeInput, body);
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    save.mutate(checked.data);
  }
  return (
    <Modal opened onClose={onClose} title={type ? `Edit ${type.name}` : "New appointment type"} size="lg">
      <Stack>
        <ErrorAlert error={save.error} title="Not saved" shownFields={Object.keys(errors)} />
        <Grid>
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <TextInput
              label="Code"
              required
              value={form.code}
              onChange={(e) => setForm({ ...form, code: e.currentTarget.value.toUpperCase() })}
              error={errors.code}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 8 }}>
            <TextInput
              label="Name"
              required
              value={form.name}
              onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
              error={errors.name}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <SearchableSelect
              label="Specialty"
              required
              data={(specialties.data?.items ?? []).map((s) => ({ value: s.code, label: s.name }))}
              value={form.specialty}
              onChange={(v) => setForm({ ...form, specialty: v })}
              error={errors.specialty}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Select
              label="Visit kind"
              data={visitKinds.map((k) => ({ value: k, label: humanize(k) }))}
              value={form.visitKind}
              onChange={(v) => v && setForm({ ...form, visitKind: v as typeof form.visitKind })}
              allowDeselect={false}
              error={errors.visitKind}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 3 }}>
            <NumberInput
              label="Minutes"
              min={5}
              max={480}
              value={form.durationMinutes}
              onChange={(v) => setForm({ ...form, durationMinutes: Number(v) || 0 })}
              error={errors.durationMinutes}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 3 }}>
            <NumberInput
              label="Slot grid (min)"
              min={5}
              max={240}
              value={form.slotIntervalMinutes}
              onChange={(v) => setForm({ ...form, slotIntervalMinutes: Number(v) || 0 })}
              error={errors.slotIntervalMinutes}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 3 }}>
            <Select
              label="Room kind"
              clearable
              placeholder="any"
              data={roomKinds.map((k) => ({ value: k, label: humanize(k) }))}
              value={form.roomKind}
              onChange={(v) => setForm({ ...form, roomKind: v as typeof form.roomKind })}
              error={errors.roomKind}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 6, sm: 3 }}>
            <NumberInput
              label="Price (cents)"
              min={0}
              value={form.basePriceCents}
              onChange={(v) => setForm({ ...form, basePriceCents: Number(v) || 0 })}
              error={errors.basePriceCents}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TagsInput
              label="Equipment kinds"
              value={form.equipmentKinds}
              onChange={(v) => setForm({ ...form, equipmentKinds: v })}
              error={errors.equipmentKinds}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput
              label="Billing code (CPT/HCPCS)"
              value={form.billingCode ?? ""}
              onChange={(e) => setForm({ ...form, billingCode: e.currentTarget.value.toUpperCase() || null })}
              error={errors.billingCode}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <TextInput
              label="Reminders (hours before)"
              description="Blank: the network's reminder times"
              placeholder="72, 24"
              value={reminders}
              onChange={(e) => setReminders(e.currentTarget.value)}
              error={errors.reminderHours}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Checkbox
              label="Video visit allowed"
              checked={form.telehealthAllowed}
              onChange={(e) => setForm({ ...form, telehealthAllowed: e.currentTarget.checked })}
            />
          </Grid.Col>
          <Grid.Col span={{ base: 12, sm: 6 }}>
            <Checkbox
              label="Active"
              checked={form.active}
              onChange={(e) => setForm({ ...form, active: e.currentTarget.checked })}
            />
          </Grid.Col>
        </Grid>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
