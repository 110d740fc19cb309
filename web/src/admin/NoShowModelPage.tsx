/** The no-show model in use: how well it did on appointments it never saw, beside the lead-time baseline. */
import "@mantine/charts/styles.css";
import { LineChart } from "@mantine/charts";
import { Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import { percent } from "../shared/risk.js";
import { formatDateTime, viewerZone } from "../shared/time.js";
import type { ModelAnswer } from "../shared/types.js";
import { PageTitle, QueryView } from "../shared/ui.js";

type Model = NonNullable<ModelAnswer["model"]>;

const figure = (x: number | null, digits = 3) => (x === null ? "—" : x.toFixed(digits));

export function NoShowModelPage() {
  const model = useQuery({
    queryKey: ["no-show-model"],
    queryFn: () => api.get<ModelAnswer>("/api/v1/analytics/no-show-model"),
  });
  return (
    <>
      <PageTitle description="Staff and physicians see each booked appointment's risk of a no-show. The model is retrained daily from the network's completed and missed appointments and judged on the latest 30 % of them, which it did not learn from.">
        No-show model
      </PageTitle>
      <QueryView query={model} label="Loading the model…">
        {(m) =>
          m.model ? (
            <Evaluation model={m.model} />
          ) : (
            <Text>
              No model yet: it is trained once the network has enough completed and missed appointments.
            </Text>
          )
        }
      </QueryView>
    </>
  );
}

function Evaluation({ model }: { model: Model }) {
  const e = model.evaluation;
  const stats: [string, string, string][] = [
    ["AUC", figure(e.auc), `lead time alone: ${figure(e.baselineAuc)}`],
    ["Brier score", figure(e.brier), `lead time alone: ${figure(e.baselineBrier)}`],
    ["No-show rate", percent(e.noShowRate), `of ${e.rows} appointments`],
    ["Held out", String(e.testRows), `the latest, after training on ${e.trainRows}`],
  ];
  const chart = e.calibration.map((b, i) => ({
    decile: String(i + 1),
    predicted: Math.round(b.predicted * 1000) / 10,
    observed: Math.round(b.observed * 1000) / 10,
  }));
  return (
    <Stack gap="md">
      <Text size="sm">
        Version {model.version}, trained {formatDateTime(model.trainedAt, viewerZone)} on {model.trainedOn}{" "}
        appointments. AUC is the chance that a missed appointment scores above an attended one (0.5 is a coin,
        1 is perfect); the Brier score is the mean squared error of the probabilities (lower is better).
        Badges read medium from {percent(model.thresholds.medium)} and high from{" "}
        {percent(model.thresholds.high)}.
      </Text>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="xs" aria-label="The model against the baseline">
        {stats.map(([label, value, note]) => (
          <Paper key={label} withBorder p="xs">
            <Text size="xs" c="dimmed">
              {label}
            </Text>
            <Text fw={700} size="xl">
              {value}
            </Text>
            <Text size="xs">{note}</Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Paper withBorder p="md" component="section" aria-labelledby="calibration-title">
        <Title order={2} size="h4" id="calibration-title" mb="xs">
          Calibration on held-out appointments
        </Title>
        <Text size="sm" mb="sm">
          The held-out appointments in ten groups by predicted risk: what the model predicted against how many
          were missed. A calibrated model's lines lie on each other.
        </Text>
        {/* the table below says the same to assistive technology; the chart takes no focus */}
        <div aria-hidden="true">
          <LineChart
            lineChartProps={{ accessibilityLayer: false }}
            h={260}
            data={chart}
            dataKey="decile"
            unit=" %"
            withLegend
            xAxisLabel="Decile of predicted risk"
            yAxisLabel="No-shows (%)"
            series={[
              { name: "predicted", label: "Predicted", color: "blue.7" },
              { name: "observed", label: "Observed", color: "red.7" },
            ]}
          />
        </div>
        <Table.ScrollContainer minWidth={360}>
          <Table aria-label="Calibration by decile" mt="sm" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Decile</Table.Th>
                <Table.Th scope="col">Appointments</Table.Th>
                <Table.Th scope="col">Predicted</Table.Th>
                <Table.Th scope="col">Observed</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {e.calibration
                .map((b, i) => ({ ...b, decile: i + 1 }))
                .map((b) => (
                  <Table.Tr key={b.decile}>
                    <Table.Th scope="row">{b.decile}</Table.Th>
                    <Table.Td>{b.n}</Table.Td>
                    <Table.Td>{percent(b.predicted)}</Table.Td>
                    <Table.Td>{percent(b.observed)}</Table.Td>
                  </Table.Tr>
                ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <Text size="sm">Features: {e.features.join(", ")}.</Text>
    </Stack>
  );
}
