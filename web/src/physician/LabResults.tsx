/** Lab results the EMR sent for a patient (HL7 ORU^R01), on the physician's view of the record. */
import { Badge, Paper, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { LabResult } from "../../../src/integrations/hl7/schema.js";
import { api } from "../shared/api.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import { QueryView } from "../shared/ui.js";

const FLAGS: Record<string, string> = {
  H: "High",
  L: "Low",
  HH: "Critically high",
  LL: "Critically low",
  A: "Abnormal",
};

export function LabResults({ patientId }: { patientId: string }) {
  const results = useQuery({
    queryKey: ["lab-results", patientId],
    queryFn: () => api.get<{ items: LabResult[] }>(`/api/v1/patients/${patientId}/lab-results`),
  });
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="lab-results">
      <Title order={2} size="h3" id="lab-results" mb="sm">
        Lab results from the EMR
      </Title>
      <QueryView query={results}>
        {({ items }) =>
          items.length === 0 ? (
            <Text c="dimmed">No lab results have arrived for this patient.</Text>
          ) : (
            <Table.ScrollContainer minWidth={520}>
              <Table striped aria-label="Lab results">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Observed</Table.Th>
                    <Table.Th>Test</Table.Th>
                    <Table.Th>Result</Table.Th>
                    <Table.Th>Reference range</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((r) => (
                    <Table.Tr key={r.id}>
                      <Table.Td>{formatDateTime(r.observedAt ?? r.receivedAt, viewerZone)}</Table.Td>
                      <Table.Td>
                        {r.name ?? r.code}
                        {r.orderName ? (
                          <Text size="xs" c="dimmed">
                            {r.orderName}
                          </Text>
                        ) : null}
                      </Table.Td>
                      <Table.Td>
                        {r.value ?? "—"} {r.units ?? ""}{" "}
                        {r.abnormalFlag && FLAGS[r.abnormalFlag] ? (
                          <Badge color="red.9">{FLAGS[r.abnormalFlag]}</Badge>
                        ) : null}
                      </Table.Td>
                      <Table.Td>{r.referenceRange ?? ""}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )
        }
      </QueryView>
    </Paper>
  );
}
