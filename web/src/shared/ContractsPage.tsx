/**
 * Physicians' contracts for capacity planning, for department heads (their specialties'
 * physicians) and administrators: where a physician may work, where their day starts (travel is
 * counted from there), hours per week and weekdays. The server validates and audits each save;
 * its field errors show next to the fields.
 */
import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Title,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ContractDto } from "../../../src/services/analytics/capacity/schema.js";
import { ApiError, api, fieldErrorsOf } from "./api.js";
import { physicianName, useLocations, usePhysicians, useSpecialties } from "./queries.js";
import type { Me } from "./types.js";
import { ErrorAlert, humanize, PageTitle, QueryView } from "./ui.js";

const WEEKDAYS = [
  { value: "1", label: "Monday" },
  { value: "2", label: "Tuesday" },
  { value: "3", label: "Wednesday" },
  { value: "4", label: "Thursday" },
  { value: "5", label: "Friday" },
  { value: "6", label: "Saturday" },
  { value: "7", label: "Sunday" },
];

export function ContractsPage({ me }: { me: Me }) {
  const specialties = useSpecialties();
  const own = me.role === "department_head";
  const choices = own
    ? me.specialties.map((code) => ({
        value: code,
        label: specialties.data?.items.find((s) => s.code === code)?.name ?? humanize(code),
      }))
    : (specialties.data?.items ?? []).map((s) => ({ value: s.code, label: s.name }));
  const [picked, setPicked] = useState<string | null>(null);
  const specialty = picked ?? choices[0]?.value ?? null;
  const physicians = usePhysicians({ specialty: specialty ?? undefined });
  const [physicianId, setPhysicianId] = useState<string | null>(null);
  const list = specialty ? (physicians.data?.items ?? []) : [];
  const chosen = list.find((p) => p.id === physicianId) ?? null;

  return (
    <>
      <PageTitle description="Where each physician may work, where their day starts, their hours per week and days: what capacity planning proposes within.">
        Physician contracts
      </PageTitle>
      <Stack gap="md">
        <Group align="end" wrap="wrap">
          <Select
            label="Specialty"
            data={choices}
            value={specialty}
            allowDeselect={false}
            searchable={!own}
            onChange={(v) => {
              setPicked(v);
              setPhysicianId(null);
            }}
          />
          <Select
            label="Physician"
            placeholder={list.length ? "Choose a physician" : "No physicians in this specialty"}
            data={list.map((p) => ({ value: p.id, label: physicianName(p) }))}
            value={chosen?.id ?? null}
            onChange={setPhysicianId}
            searchable
            disabled={!list.length}
          />
        </Group>
        {chosen ? (
          <ContractForm key={chosen.id} physicianId={chosen.id} name={physicianName(chosen)} />
        ) : (
          <Text>Choose a physician to see and edit their contract.</Text>
        )}
      </Stack>
    </>
  );
}

function ContractForm({ physicianId, name }: { physicianId: string; name: string }) {
  const url = `/api/v1/capacity-plans/contracts/${physicianId}`;
  const contract = useQuery({
    queryKey: ["contract", physicianId],
    queryFn: async (): Promise<ContractDto | null> => {
      try {
        return await api.get<ContractDto>(url);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
  return (
    <QueryView query={contract} label="Loading the contract…">
      {(c) => <ContractFields physicianId={physicianId} name={name} url={url} saved={c} />}
    </QueryView>
  );
}

function ContractFields({
  physicianId,
  name,
  url,
  saved,
}: {
  physicianId: string;
  name: string;
  url: string;
  saved: ContractDto | null;
}) {
  const { locations } = useLocations();
  const places = locations.filter((l) => l.kind !== "virtual").map((l) => ({ value: l.id, label: l.name }));
  const [home, setHome] = useState<string | null>(saved?.homeLocationId ?? null);
  const [allowed, setAllowed] = useState<string[]>(saved?.locationIds ?? []);
  const [hours, setHours] = useState<number | string>(saved?.hoursPerWeek ?? 40);
  const [days, setDays] = useState<string[]>((saved?.weekdays ?? [1, 2, 3, 4, 5]).map(String));
  const client = useQueryClient();
  const save = useMutation({
    mutationFn: () =>
      api.put<ContractDto>(url, {
        homeLocationId: home ?? "",
        locationIds: allowed,
        hoursPerWeek: Number(hours),
        weekdays: days.map(Number).sort((a, b) => a - b),
      }),
    onSuccess: (c) => client.setQueryData(["contract", physicianId], c),
  });
  const errors = fieldErrorsOf(save.error);
  // an error on one of the allowed locations (locationIds.2) shows on the group
  const allowedError =
    errors.locationIds ?? Object.entries(errors).find(([k]) => k.startsWith("locationIds."))?.[1];
  const shown = [
    "homeLocationId",
    "hoursPerWeek",
    "weekdays",
    ...Object.keys(errors).filter((k) => k.startsWith("locationIds")),
  ];
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      aria-labelledby="contract-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <Title order={2} size="h4" id="contract-title" mb="xs">
        Contract of {name}
      </Title>
      {!saved && (
        <Alert color="blue" mb="sm" title="No contract yet">
          Capacity planning leaves this physician out until their contract is saved.
        </Alert>
      )}
      <Stack gap="sm">
        <Select
          label="Home location"
          description="Where their day starts: travel is counted from here"
          data={places}
          value={home}
          onChange={setHome}
          searchable
          required
          error={errors.homeLocationId}
        />
        <Checkbox.Group
          label="Locations they may work at"
          description="Include the home location"
          value={allowed}
          onChange={setAllowed}
          required
          error={allowedError}
        >
          <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
            {places.map((p) => (
              <Checkbox key={p.value} value={p.value} label={p.label} />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        <NumberInput
          label="Hours per week"
          min={1}
          max={80}
          value={hours}
          onChange={setHours}
          required
          error={errors.hoursPerWeek}
          w={160}
        />
        <Checkbox.Group
          label="Days they may work"
          value={days}
          onChange={setDays}
          required
          error={errors.weekdays}
        >
          <Group mt="xs" gap="md">
            {WEEKDAYS.map((d) => (
              <Checkbox key={d.value} value={d.value} label={d.label} />
            ))}
          </Group>
        </Checkbox.Group>
        <Group>
          <Button type="submit" loading={save.isPending}>
            Save contract
          </Button>
          {save.isSuccess && !save.isPending && (
            <Text size="sm" role="status">
              Contract saved.
            </Text>
          )}
        </Group>
        <ErrorAlert error={save.error} shownFields={shown} />
      </Stack>
    </Paper>
  );
}
