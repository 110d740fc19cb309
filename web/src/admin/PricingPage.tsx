/**
 * Demand-based copays for administrators: the rules per location (an off-peak discount or a
 * high-demand surcharge in a local time band), switching them on and off, a form for a new rule,
 * and the caps per insurance plan that bound every adjustment.
 */
import {
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { PriceCapDto, PricingRuleDto } from "../../../src/services/analytics/pricing/schema.js";
import { api, fieldErrorsOf, type Page } from "../shared/api.js";
import { useAppointmentTypes, useLocations } from "../shared/queries.js";
import { SearchableSelect } from "../shared/SearchablePickers.js";
import { ErrorAlert, humanize, money, PageTitle, QueryView } from "../shared/ui.js";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
/** A cap in dollars ("$0" rather than the copay wording "free"). */
const dollars = (cents: number): string => (cents === 0 ? "$0" : money(cents));
const KINDS = [
  { value: "off_peak_discount", label: "Off-peak discount" },
  { value: "high_demand_surcharge", label: "High-demand surcharge" },
];

export function PricingPage() {
  const [locationId, setLocationId] = useState<string | null>(null);
  const { locations, byId } = useLocations();
  const { byId: types } = useAppointmentTypes();
  const client = useQueryClient();
  const rules = useQuery({
    queryKey: ["pricing-rules", locationId],
    queryFn: () => api.get<Page<PricingRuleDto>>("/api/v1/pricing-rules", { locationId, limit: 200 }),
  });
  const toggle = useMutation({
    mutationFn: (r: { id: string; active: boolean }) =>
      api.patch<PricingRuleDto>(`/api/v1/pricing-rules/${r.id}`, { active: r.active }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["pricing-rules"] }),
  });
  return (
    <>
      <PageTitle description="Copays that follow demand: a discount when a physician's day is quiet, a surcharge when it is busy, bounded by each plan's caps. Urgent care and patients with financial assistance always pay the base copay.">
        Copays
      </PageTitle>
      <Stack gap="md">
        <Paper withBorder p="md" component="section" aria-labelledby="rules-title">
          <Title order={2} size="h4" id="rules-title" mb="xs">
            Rules
          </Title>
          <SearchableSelect
            label="Location"
            placeholder="Every location"
            clearable
            data={locations.map((l) => ({ value: l.id, label: l.name }))}
            value={locationId}
            onChange={setLocationId}
            maw={360}
            mb="sm"
          />
          <ErrorAlert error={toggle.error} title="The rule was not changed" />
          <QueryView query={rules} label="Loading rules…">
            {(page) =>
              page.items.length === 0 ? (
                <Text>No rules here yet.</Text>
              ) : (
                <Table.ScrollContainer minWidth={720}>
                  <Table aria-label="Copay rules" striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">Rule</Table.Th>
                        <Table.Th scope="col">Location</Table.Th>
                        <Table.Th scope="col">Visit type</Table.Th>
                        <Table.Th scope="col">When</Table.Th>
                        <Table.Th scope="col">Utilisation</Table.Th>
                        <Table.Th scope="col">Active</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {page.items.map((r) => {
                        const label = `${humanize(r.kind)} ${r.percent} %`;
                        return (
                          <Table.Tr key={r.id}>
                            <Table.Th scope="row">{label}</Table.Th>
                            <Table.Td>{byId.get(r.locationId)?.name ?? "…"}</Table.Td>
                            <Table.Td>
                              {r.appointmentTypeId
                                ? (types.get(r.appointmentTypeId)?.name ?? "…")
                                : "Every type"}
                            </Table.Td>
                            <Table.Td>
                              {r.weekdays.map((d) => WEEKDAYS[d - 1]).join(", ")} {r.startTime}–{r.endTime}
                            </Table.Td>
                            <Table.Td>
                              {r.kind === "off_peak_discount" ? "at or below" : "at or above"}{" "}
                              {Math.round(r.utilisationThreshold * 1000) / 10} %
                            </Table.Td>
                            <Table.Td>
                              <Switch
                                checked={r.active}
                                aria-label={`${label} at ${byId.get(r.locationId)?.name ?? "the location"} active`}
                                disabled={toggle.isPending}
                                onChange={(e) => toggle.mutate({ id: r.id, active: e.currentTarget.checked })}
                              />
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              )
            }
          </QueryView>
        </Paper>
        <NewRule defaultLocationId={locationId} />
        <Caps />
      </Stack>
    </>
  );
}

function NewRule({ defaultLocationId }: { defaultLocationId: string | null }) {
  const { locations } = useLocations();
  const { types } = useAppointmentTypes();
  const client = useQueryClient();
  const [locationId, setLocationId] = useState<string | null>(defaultLocationId);
  const [typeId, setTypeId] = useState<string | null>(null);
  const [kind, setKind] = useState("off_peak_discount");
  const [weekdays, setWeekdays] = useState<string[]>(["1", "2", "3", "4", "5"]);
  const [startTime, setStartTime] = useState("13:00");
  const [endTime, setEndTime] = useState("17:00");
  const [threshold, setThreshold] = useState<number | string>(50);
  const [percent, setPercent] = useState<number | string>(10);
  const create = useMutation({
    mutationFn: () =>
      api.post<PricingRuleDto>("/api/v1/pricing-rules", {
        locationId,
        appointmentTypeId: typeId,
        kind,
        weekdays: weekdays.map(Number).sort(),
        startTime,
        endTime,
        utilisationThreshold: Number(threshold) / 100,
        percent: Number(percent),
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["pricing-rules"] }),
  });
  const errors = fieldErrorsOf(create.error);
  const shown = ["locationId", "appointmentTypeId", "kind", "weekdays", "startTime", "endTime", "percent"];
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      aria-labelledby="new-rule-title"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      <Title order={2} size="h4" id="new-rule-title" mb="xs">
        New rule
      </Title>
      <Group align="start" wrap="wrap">
        <SearchableSelect
          label="Location"
          required
          data={locations.map((l) => ({ value: l.id, label: l.name }))}
          value={locationId}
          onChange={setLocationId}
          error={errors.locationId}
          w={260}
        />
        <SearchableSelect
          label="Visit type"
          placeholder="Every type"
          clearable
          data={types.map((t) => ({ value: t.id, label: t.name }))}
          value={typeId}
          onChange={setTypeId}
          error={errors.appointmentTypeId}
          w={260}
        />
        <Select
          label="Kind"
          data={KINDS}
          value={kind}
          allowDeselect={false}
          onChange={(v) => setKind(v ?? "off_peak_discount")}
          error={errors.kind}
          w={220}
        />
      </Group>
      <Checkbox.Group
        label="Weekdays"
        value={weekdays}
        onChange={setWeekdays}
        error={errors.weekdays}
        mt="sm"
      >
        <Group gap="sm" mt={4}>
          {WEEKDAYS.map((d, i) => (
            <Checkbox key={d} value={String(i + 1)} label={d} />
          ))}
        </Group>
      </Checkbox.Group>
      <Group align="start" wrap="wrap" mt="sm">
        <TextInput
          type="time"
          label="From (local time)"
          value={startTime}
          onChange={(e) => setStartTime(e.currentTarget.value)}
          error={errors.startTime}
        />
        <TextInput
          type="time"
          label="Until (local time)"
          value={endTime}
          onChange={(e) => setEndTime(e.currentTarget.value)}
          error={errors.endTime}
        />
        <NumberInput
          label={
            kind === "off_peak_discount"
              ? "When utilisation is at most (%)"
              : "When utilisation is at least (%)"
          }
          min={0}
          max={100}
          decimalScale={1}
          value={threshold}
          onChange={setThreshold}
          error={errors.utilisationThreshold}
          w={260}
        />
        <NumberInput
          label="Percent of the base copay"
          min={1}
          max={100}
          allowDecimal={false}
          value={percent}
          onChange={setPercent}
          error={errors.percent}
          w={220}
        />
      </Group>
      <ErrorAlert
        error={create.error}
        shownFields={[...shown, "utilisationThreshold"]}
        title="The rule was not created"
      />
      {create.isSuccess && (
        <Text role="status" size="sm" mt="xs">
          Rule created.
        </Text>
      )}
      <Button type="submit" mt="md" loading={create.isPending}>
        Create rule
      </Button>
    </Paper>
  );
}

function Caps() {
  const client = useQueryClient();
  const caps = useQuery({
    queryKey: ["pricing-caps"],
    queryFn: () => api.get<{ items: PriceCapDto[] }>("/api/v1/pricing-rules/caps"),
  });
  const [plan, setPlan] = useState("");
  const [surcharge, setSurcharge] = useState<number | string>(20);
  const [discount, setDiscount] = useState<number | string>(20);
  const save = useMutation({
    mutationFn: () =>
      api.put<PriceCapDto>(`/api/v1/pricing-rules/caps/${encodeURIComponent(plan.trim())}`, {
        maxSurchargeCents: Math.round(Number(surcharge) * 100),
        maxDiscountCents: Math.round(Number(discount) * 100),
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["pricing-caps"] }),
  });
  const errors = fieldErrorsOf(save.error);
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="caps-title">
      <Title order={2} size="h4" id="caps-title" mb="xs">
        Caps per plan
      </Title>
      <Text size="sm" mb="sm">
        The most a plan's copays may rise or fall. <code>self_pay</code> is for patients without insurance,{" "}
        <code>default</code> for plans without caps of their own; without any cap copays are not adjusted.
      </Text>
      <QueryView query={caps} label="Loading caps…">
        {(c) =>
          c.items.length === 0 ? (
            <Text>No caps yet: copays are never adjusted.</Text>
          ) : (
            <Table aria-label="Caps per plan" striped mb="md">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Plan</Table.Th>
                  <Table.Th scope="col">Most surcharge</Table.Th>
                  <Table.Th scope="col">Most discount</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>Edit</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {c.items.map((cap) => (
                  <Table.Tr key={cap.plan}>
                    <Table.Th scope="row">{cap.plan}</Table.Th>
                    <Table.Td>{dollars(cap.maxSurchargeCents)}</Table.Td>
                    <Table.Td>{dollars(cap.maxDiscountCents)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="light"
                        aria-label={`Edit the caps of ${cap.plan}`}
                        onClick={() => {
                          setPlan(cap.plan);
                          setSurcharge(cap.maxSurchargeCents / 100);
                          setDiscount(cap.maxDiscountCents / 100);
                        }}
                      >
                        Edit
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryView>
      <form
        aria-label="Set a plan's caps"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Group align="start" wrap="wrap">
          <TextInput
            label="Plan"
            required
            value={plan}
            onChange={(e) => setPlan(e.currentTarget.value)}
            error={errors.plan}
            w={220}
          />
          <NumberInput
            label="Most surcharge ($)"
            min={0}
            decimalScale={2}
            value={surcharge}
            onChange={setSurcharge}
            error={errors.maxSurchargeCents}
            w={180}
          />
          <NumberInput
            label="Most discount ($)"
            min={0}
            decimalScale={2}
            value={discount}
            onChange={setDiscount}
            error={errors.maxDiscountCents}
            w={180}
          />
          <Button type="submit" mt={25} loading={save.isPending} disabled={!plan.trim()}>
            Save caps
          </Button>
        </Group>
        <ErrorAlert
          error={save.error}
          shownFields={["plan", "maxSurchargeCents", "maxDiscountCents"]}
          title="The caps were not saved"
        />
      </form>
    </Paper>
  );
}
