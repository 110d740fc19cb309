/**
 * The fee schedule: per location, each appointment type's fee and billing code, which the revenue
 * report prices visits with. Administrators edit a row in place (saved and audited one row at a
 * time, errors next to the field); department heads read it.
 */
import {
  Badge,
  Button,
  Group,
  NumberInput,
  Paper,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { type Fee, feeBody } from "../../../src/services/analytics/reports/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "./api.js";
import { useAppointmentTypes, useLocations } from "./queries.js";
import { SearchableSelect } from "./SearchablePickers.js";
import type { AppointmentType } from "./types.js";
import { ErrorAlert, money, PageTitle, QueryView } from "./ui.js";

export function FeeSchedulePage({ editable }: { editable: boolean }) {
  const { locations } = useLocations();
  const { types } = useAppointmentTypes();
  const [locationId, setLocationId] = useState<string | null>(null);
  const chosen = locationId ?? locations[0]?.id ?? null;
  const fees = useQuery({
    queryKey: ["fee-schedules", chosen],
    queryFn: () => api.get<{ items: Fee[] }>("/api/v1/analytics/fee-schedules", { locationId: chosen }),
    enabled: chosen !== null,
  });
  const place = locations.find((l) => l.id === chosen)?.name ?? "this location";
  return (
    <>
      <PageTitle
        description={
          editable
            ? "What each visit type is billed at each location, and under which code. The revenue report prices visits with it; the patient's share is the copay recorded at booking, the payer's the rest. Every change is audited."
            : "What each visit type is billed at each location, and under which code (administrators change it)."
        }
      >
        Fee schedule
      </PageTitle>
      <Paper withBorder p="md">
        <SearchableSelect
          label="Location"
          data={locations.map((l) => ({ value: l.id, label: l.name }))}
          value={chosen}
          onChange={(v) => v && setLocationId(v)}
          allowDeselect={false}
          maw={360}
          mb="sm"
        />
        <QueryView query={fees} label="Loading the fee schedule…">
          {(page) => {
            const byType = new Map(page.items.map((f) => [f.appointmentTypeId, f]));
            return (
              <Table.ScrollContainer minWidth={editable ? 640 : 420}>
                <Table aria-label={`Fee schedule at ${place}`} striped verticalSpacing="xs">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Visit type</Table.Th>
                      <Table.Th scope="col">Fee</Table.Th>
                      <Table.Th scope="col">Billing code</Table.Th>
                      {editable && (
                        <Table.Th scope="col">
                          <VisuallyHidden>Save</VisuallyHidden>
                        </Table.Th>
                      )}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {types.map((t) =>
                      editable && chosen ? (
                        <FeeRow
                          key={`${chosen}:${t.id}`}
                          locationId={chosen}
                          type={t}
                          fee={byType.get(t.id)}
                        />
                      ) : (
                        <Table.Tr key={t.id}>
                          <Table.Th scope="row">{t.name}</Table.Th>
                          <Table.Td>{feeText(byType.get(t.id))}</Table.Td>
                          <Table.Td>{byType.get(t.id)?.billingCode ?? "—"}</Table.Td>
                        </Table.Tr>
                      ),
                    )}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            );
          }}
        </QueryView>
      </Paper>
    </>
  );
}

const feeText = (f: Fee | undefined): string =>
  f ? (f.feeCents === 0 ? "$0" : money(f.feeCents)) : "No fee";

/** One visit type's fee at the location, edited in place. */
function FeeRow({
  locationId,
  type,
  fee,
}: {
  locationId: string;
  type: AppointmentType;
  fee: Fee | undefined;
}) {
  const client = useQueryClient();
  const [dollars, setDollars] = useState<number | string>(fee ? fee.feeCents / 100 : "");
  const [code, setCode] = useState(fee?.billingCode ?? type.billingCode ?? "");
  const [errors, setErrors] = useState<FieldErrors>({});
  useEffect(() => {
    setDollars(fee ? fee.feeCents / 100 : "");
    setCode(fee?.billingCode ?? type.billingCode ?? "");
  }, [fee, type.billingCode]);
  const save = useMutation({
    mutationFn: (body: { feeCents: number; billingCode: string }) =>
      api.put<Fee>(`/api/v1/analytics/fee-schedules/${locationId}/${type.id}`, body),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["fee-schedules", locationId] }),
    onError: (err) => setErrors(fieldErrorsOf(err)),
  });
  const changed =
    !fee || Math.round(Number(dollars) * 100) !== fee.feeCents || code.trim() !== fee.billingCode;
  const submit = () => {
    const checked = validate(feeBody, {
      feeCents: dollars === "" ? Number.NaN : Math.round(Number(dollars) * 100),
      billingCode: code,
    });
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    save.mutate(checked.data);
  };
  return (
    <Table.Tr>
      <Table.Th scope="row">
        {type.name}
        {!fee && (
          <Badge ml="xs" variant="outline" color="gray.8">
            no fee yet
          </Badge>
        )}
      </Table.Th>
      <Table.Td>
        <NumberInput
          aria-label={`Fee for ${type.name}`}
          prefix="$"
          min={0}
          max={100_000}
          decimalScale={2}
          thousandSeparator=","
          value={dollars}
          onChange={setDollars}
          error={errors.feeCents}
          onKeyDown={(e) => e.key === "Enter" && submit()}
          w={140}
        />
      </Table.Td>
      <Table.Td>
        <TextInput
          aria-label={`Billing code for ${type.name}`}
          value={code}
          onChange={(e) => setCode(e.currentTarget.value)}
          error={errors.billingCode}
          onKeyDown={(e) => e.key === "Enter" && submit()}
          w={160}
        />
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            variant="light"
            onClick={submit}
            loading={save.isPending}
            disabled={!changed}
            aria-label={`Save the fee for ${type.name}`}
          >
            Save
          </Button>
          {save.isSuccess && !changed && (
            <Text size="sm" c="teal.9" role="status">
              Saved
            </Text>
          )}
        </Group>
        <ErrorAlert
          error={save.error}
          title="The fee was not saved"
          shownFields={["feeCents", "billingCode"]}
        />
      </Table.Td>
    </Table.Tr>
  );
}
