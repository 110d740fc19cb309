/** The way from an entrance or car park to an appointment's room: steps, and a plan per floor. */
import { Alert, Group, Paper, Select, Stack, Switch, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "./api.js";
import type { AppointmentRoute } from "./types.js";
import { QueryView } from "./ui.js";

/** Items with their place in the list: steps and a floor's visits repeat, so their place is their key. */
const numbered = <T,>(items: readonly T[]): Array<[string, T]> => items.map((item, n) => [`${n}`, item]);

const floorName = (floor: number) => (floor === 0 ? "Ground floor" : `Floor ${floor}`);

export function RouteToRoom({ appointmentId }: { appointmentId: string }) {
  const [from, setFrom] = useState<string | null>(null);
  const [stepFree, setStepFree] = useState<boolean | null>(null);
  const route = useQuery({
    queryKey: ["appointment-route", appointmentId, from, stepFree],
    queryFn: () =>
      api.get<AppointmentRoute>(`/api/v1/appointments/${appointmentId}/route`, {
        from,
        stepFree: stepFree === null ? undefined : String(stepFree),
      }),
  });
  return (
    <Paper withBorder p="md">
      <Stack gap="sm">
        <Title order={2} size="h4">
          Finding your way inside
        </Title>
        <QueryView query={route} label="Finding the way to the room…">
          {(r) =>
            r.unavailable && r.startingPoints.length === 0 ? (
              <Text size="sm">{r.unavailable.message}</Text>
            ) : (
              <Stack gap="sm">
                <Group align="end">
                  <Select
                    label="Start from"
                    data={r.startingPoints.map((p) => ({ value: p.id, label: p.name ?? p.kind }))}
                    value={r.from?.id ?? null}
                    onChange={setFrom}
                    allowDeselect={false}
                  />
                  <Switch
                    label="Step-free route (no stairs or escalators)"
                    checked={r.stepFree}
                    onChange={(e) => setStepFree(e.currentTarget.checked)}
                  />
                </Group>
                {r.unavailable ? (
                  <Alert color="yellow" title="No route">
                    {r.unavailable.message}
                  </Alert>
                ) : (
                  <Steps route={r} />
                )}
              </Stack>
            )
          }
        </QueryView>
      </Stack>
    </Paper>
  );
}

function Steps({ route }: { route: AppointmentRoute }) {
  return (
    <Stack gap="sm">
      <Text size="sm">
        About {route.minutes} minutes on foot ({route.metres} m){route.stepFree ? ", step-free" : ""}.
      </Text>
      <ol>
        {numbered(route.steps).map(([n, s]) => (
          <li key={n}>{s.text}</li>
        ))}
      </ol>
      <Group align="start">
        {route.floors.map((f) => (
          <FloorPlan key={f.floor} plan={f} />
        ))}
      </Group>
    </Stack>
  );
}

/** One floor drawn from above, north up; the route in a heavy line, start and end marked. */
function FloorPlan({ plan }: { plan: AppointmentRoute["floors"][number] }) {
  const xs = plan.links.flatMap((l) => [l[0], l[2]]).concat(plan.route.flat().map((p) => p[0]));
  const ys = plan.links.flatMap((l) => [l[1], l[3]]).concat(plan.route.flat().map((p) => p[1]));
  const pad = 10;
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const width = maxX - minX + 2 * pad;
  const height = maxY - minY + 2 * pad;
  // y grows north in the map and down on screen
  const sx = (x: number) => x - minX + pad;
  const sy = (y: number) => maxY - y + pad;
  const titleId = `floor-plan-${plan.floor}`;
  return (
    <figure style={{ margin: 0 }}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width={Math.min(420, width * 2)}
        role="img"
        aria-labelledby={titleId}
        style={{ background: "#fff", border: "1px solid #868e96" }}
      >
        <title id={titleId}>
          {floorName(plan.floor)}: plan with the route drawn (the steps above describe it)
        </title>
        {plan.links.map((l) => (
          <line
            key={l.join(",")}
            x1={sx(l[0])}
            y1={sy(l[1])}
            x2={sx(l[2])}
            y2={sy(l[3])}
            stroke="#adb5bd"
            strokeWidth={1.5}
          />
        ))}
        {numbered(plan.route).map(([n, line]) => (
          <polyline
            key={n}
            points={line.map(([x, y]) => `${sx(x)},${sy(y)}`).join(" ")}
            fill="none"
            stroke="#1864ab"
            strokeWidth={4}
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        ))}
        {plan.start ? <circle cx={sx(plan.start[0])} cy={sy(plan.start[1])} r={5} fill="#2b8a3e" /> : null}
        {plan.end ? <circle cx={sx(plan.end[0])} cy={sy(plan.end[1])} r={5} fill="#c92a2a" /> : null}
      </svg>
      <figcaption>
        <Text size="sm">
          {floorName(plan.floor)}
          {plan.start ? " · green: start" : ""}
          {plan.end ? " · red: the room" : ""}
        </Text>
      </figcaption>
    </figure>
  );
}
