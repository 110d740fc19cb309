/**
 * Finding the patient at the desk: by name or MRN among the location's patients, or — for someone
 * new to this location — by exact MRN and date of birth, the identity check the API allows.
 */
import { Button, Grid, Group, SegmentedControl, Stack, Table, Text, TextInput } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { api, fieldErrorsOf, type Page } from "../shared/api.js";
import { patientName } from "../shared/queries.js";
import type { Patient } from "../shared/types.js";
import { ErrorAlert, Loading } from "../shared/ui.js";

type Mode = "known" | "identity";

export function PatientFinder({
  onChoose,
  error,
}: {
  onChoose: (p: Patient) => void;
  error?: string | undefined;
}) {
  const [mode, setMode] = useState<Mode>("known");
  const [q, setQ] = useState("");
  const [mrn, setMrn] = useState("");
  const [birthDate, setBirthDate] = useState<string | null>(null);
  const [query, setQuery] = useState<Record<string, string> | null>(null);
  const found = useQuery({
    queryKey: ["patients", "find", query],
    enabled: query !== null,
    queryFn: () => api.get<Page<Patient>>("/api/v1/patients", { ...query, limit: 20 }),
  });
  const errors = fieldErrorsOf(found.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (mode === "known") setQuery(q.trim() ? { q: q.trim() } : null);
    else setQuery({ mrn: mrn.trim().toUpperCase(), birthDate: birthDate ?? "" });
  }

  return (
    <Stack gap="sm">
      <SegmentedControl
        aria-label="How to find the patient"
        value={mode}
        onChange={(v) => setMode(v as Mode)}
        data={[
          { value: "known", label: "Seen here before" },
          { value: "identity", label: "New to this location" },
        ]}
      />
      <form onSubmit={submit} noValidate aria-label="Find a patient">
        <Grid align="end">
          {mode === "known" ? (
            <Grid.Col span={{ base: 12, sm: 8 }}>
              <TextInput
                label="Name or MRN"
                value={q}
                onChange={(e) => setQ(e.currentTarget.value)}
                error={errors.q ?? error}
              />
            </Grid.Col>
          ) : (
            <>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <TextInput
                  label="MRN"
                  value={mrn}
                  onChange={(e) => setMrn(e.currentTarget.value)}
                  error={errors.mrn ?? error}
                />
              </Grid.Col>
              <Grid.Col span={{ base: 12, sm: 4 }}>
                <DateInput
                  label="Date of birth"
                  value={birthDate}
                  onChange={(v) => setBirthDate(v ? String(v) : null)}
                  valueFormat="YYYY-MM-DD"
                  error={errors.birthDate}
                />
              </Grid.Col>
            </>
          )}
          <Grid.Col span={{ base: 12, sm: 4 }}>
            <Button type="submit" fullWidth loading={found.isFetching}>
              Find patient
            </Button>
          </Grid.Col>
        </Grid>
      </form>
      <ErrorAlert error={found.error} shownFields={["q", "mrn", "birthDate"]} />
      {query && found.isPending ? <Loading /> : null}
      {found.data ? (
        found.data.items.length === 0 ? (
          <Text size="sm">No patient found.</Text>
        ) : (
          <Table.ScrollContainer minWidth={420}>
            <Table aria-label="Patients found">
              <Table.Tbody>
                {found.data.items.map((p) => (
                  <Table.Tr key={p.id}>
                    <Table.Td>{patientName(p)}</Table.Td>
                    <Table.Td>{p.mrn}</Table.Td>
                    <Table.Td>{p.birthDate}</Table.Td>
                    <Table.Td>
                      <Group justify="flex-end">
                        <Button
                          size="xs"
                          variant="light"
                          onClick={() => onChoose(p)}
                          aria-label={`Choose ${patientName(p)}`}
                        >
                          Choose
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      ) : null}
    </Stack>
  );
}
