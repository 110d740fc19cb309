/** A location's indoor map: upload or replace it as GeoJSON, and see its floors and coverage. */
import { Alert, FileInput, Stack, Table, Text } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "../shared/api.js";
import type { MapSummary } from "../shared/types.js";
import { ErrorAlert, QueryView } from "../shared/ui.js";

export function IndoorMap({ locationId }: { locationId: string }) {
  const client = useQueryClient();
  const key = ["indoor-map", locationId];
  const map = useQuery({
    queryKey: key,
    queryFn: () => api.get<{ summary: MapSummary }>(`/api/v1/locations/${locationId}/map`),
  });
  const upload = useMutation({
    mutationFn: async (file: File) => {
      let body: unknown;
      try {
        body = JSON.parse(await file.text());
      } catch {
        throw new Error(`${file.name} is not a JSON file`);
      }
      return api.put<MapSummary>(`/api/v1/locations/${locationId}/map`, body);
    },
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  const problems = upload.error instanceof ApiError ? upload.error.problem.errors : [];
  return (
    <Stack maw={720}>
      <Text size="sm">
        The map is a GeoJSON FeatureCollection: Points are places (property <code>kind</code>: entrance,
        parking, lift, stairs, escalator, corridor, room or amenity; <code>floor</code>; <code>roomCode</code>{" "}
        for a room), LineStrings are walkable links (<code>from</code>, <code>to</code>, <code>stepFree</code>
        , <code>distance</code> in metres between floors). Uploading replaces the whole map.
      </Text>
      <FileInput
        label="Upload a map (GeoJSON)"
        accept=".json,.geojson,application/json,application/geo+json"
        placeholder="Choose a file"
        onChange={(file) => file && upload.mutate(file)}
        disabled={upload.isPending}
      />
      {upload.isSuccess ? (
        <Alert color="green" title="Map replaced" role="status">
          {upload.data.places} places and {upload.data.links} links on {upload.data.floors.length} floors.
        </Alert>
      ) : null}
      {problems.length ? (
        <Alert color="red" title="The map was not saved">
          <ul>
            {problems.map((p) => (
              <li key={p.field}>
                <code>{p.field}</code>: {p.message}
              </li>
            ))}
          </ul>
        </Alert>
      ) : upload.error ? (
        <ErrorAlert error={upload.error} />
      ) : null}
      <QueryView query={map} label="Loading the map…">
        {({ summary }) =>
          summary.places === 0 ? (
            <Text>This location has no indoor map yet.</Text>
          ) : (
            <Stack gap="xs">
              <Table>
                <Table.Caption>Floors of the map</Table.Caption>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Floor</Table.Th>
                    <Table.Th scope="col">Places</Table.Th>
                    <Table.Th scope="col">Rooms</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {summary.floors.map((f) => (
                    <Table.Tr key={f.floor}>
                      <Table.Td>{f.floor === 0 ? "Ground" : f.floor}</Table.Td>
                      <Table.Td>{f.places}</Table.Td>
                      <Table.Td>{f.rooms}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Text size="sm">
                Rooms not on the map: {summary.roomsMissing.join(", ") || "none"}. Rooms no entrance reaches:{" "}
                {summary.roomsUnreachable.join(", ") || "none"}. Rooms without a step-free route:{" "}
                {summary.roomsWithoutStepFreeRoute.join(", ") || "none"}.
              </Text>
            </Stack>
          )
        }
      </QueryView>
    </Stack>
  );
}
