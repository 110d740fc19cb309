/** Minutes between every pair of locations: configured, or estimated from coordinates until set. */
import {
  Button,
  Checkbox,
  Group,
  Modal,
  NumberInput,
  Stack,
  Table,
  Text,
  UnstyledButton,
} from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { travelTimeInput } from "../../../src/services/locations/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { useLocations } from "../shared/queries.js";
import type { TravelMatrix } from "../shared/types.js";
import { ErrorAlert, PageTitle, QueryView } from "../shared/ui.js";

type Cell = TravelMatrix["entries"][number];

export function TravelPage() {
  const matrix = useQuery({
    queryKey: ["travel"],
    queryFn: () => api.get<TravelMatrix>("/api/v1/travel-times"),
  });
  const { byId: locations } = useLocations();
  const [editing, setEditing] = useState<Cell | null>(null);
  return (
    <>
      <PageTitle description="Buffers between appointments of a physician at two locations. Italic minutes are estimates from distance; click a cell to set it.">
        Travel times
      </PageTitle>
      <QueryView query={matrix} label="Loading the matrix…">
        {(m) => {
          const cell = new Map(m.entries.map((e) => [`${e.fromLocationId}|${e.toLocationId}`, e]));
          const code = (id: string) => locations.get(id)?.code ?? id.slice(0, 6);
          return (
            <Table.ScrollContainer minWidth={120 + m.locationIds.length * 80}>
              <Table
                withColumnBorders
                withTableBorder
                aria-label="Travel minutes from the row's location to the column's"
                fz="xs"
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>From ↓ To →</Table.Th>
                    {m.locationIds.map((id) => (
                      <Table.Th key={id} title={locations.get(id)?.name}>
                        {code(id)}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {m.locationIds.map((from) => (
                    <Table.Tr key={from}>
                      <Table.Th scope="row" title={locations.get(from)?.name}>
                        {code(from)}
                      </Table.Th>
                      {m.locationIds.map((to) => {
                        const c = cell.get(`${from}|${to}`);
                        if (from === to || !c) return <Table.Td key={to}>—</Table.Td>;
                        return (
                          <Table.Td key={to}>
                            <UnstyledButton
                              onClick={() => setEditing(c)}
                              aria-label={`${locations.get(from)?.name} to ${locations.get(to)?.name}: ${c.minutes} minutes${c.estimated ? ", estimated" : ""}. Edit`}
                              style={{
                                fontStyle: c.estimated ? "italic" : "normal",
                                textDecoration: "underline dotted",
                              }}
                            >
                              {c.minutes}
                              {c.estimated ? " est." : ""}
                            </UnstyledButton>
                          </Table.Td>
                        );
                      })}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          );
        }}
      </QueryView>
      {editing ? (
        <EditTravel
          cell={editing}
          onClose={() => setEditing(null)}
          name={(id) => locations.get(id)?.name ?? id}
        />
      ) : null}
    </>
  );
}

function EditTravel({
  cell,
  onClose,
  name,
}: {
  cell: Cell;
  onClose: () => void;
  name: (id: string) => string;
}) {
  const client = useQueryClient();
  const [minutes, setMinutes] = useState<number>(cell.minutes);
  const [symmetric, setSymmetric] = useState(true);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const done = () => {
    void client.invalidateQueries({ queryKey: ["travel"] });
    onClose();
  };
  const save = useMutation({
    mutationFn: (body: unknown) => api.put("/api/v1/travel-times", body),
    onSuccess: done,
  });
  const clear = useMutation({
    mutationFn: () => api.del("/api/v1/travel-times", { from: cell.fromLocationId, to: cell.toLocationId }),
    onSuccess: done,
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };
  function submit() {
    const checked = validate(travelTimeInput, {
      fromLocationId: cell.fromLocationId,
      toLocationId: cell.toLocationId,
      minutes,
      symmetric,
    });
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    save.mutate(checked.data);
  }
  return (
    <Modal opened onClose={onClose} title="Travel time">
      <Stack>
        <Text size="sm">
          From <strong>{name(cell.fromLocationId)}</strong> to <strong>{name(cell.toLocationId)}</strong>
        </Text>
        <ErrorAlert error={save.error ?? clear.error} shownFields={["minutes"]} />
        <NumberInput
          label="Minutes"
          min={0}
          max={1440}
          value={minutes}
          onChange={(v) => setMinutes(Number(v) || 0)}
          error={errors.minutes}
          data-autofocus
        />
        <Checkbox
          label="The same in the other direction"
          checked={symmetric}
          onChange={(e) => setSymmetric(e.currentTarget.checked)}
        />
        <Group justify="space-between">
          {!cell.estimated ? (
            <Button variant="subtle" color="gray" onClick={() => clear.mutate()} loading={clear.isPending}>
              Use the estimate again
            </Button>
          ) : (
            <span />
          )}
          <Button onClick={submit} loading={save.isPending}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
