/** Every location of the network, with a way into each one's rooms, equipment, amenities and hours. */
import { Group, Table, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { useLocations } from "../shared/queries.js";
import { ButtonLink, Link } from "../shared/router.js";
import { humanize, PageTitle, QueryView } from "../shared/ui.js";

export function LocationsPage() {
  const q = useLocations();
  const [filter, setFilter] = useState("");
  const f = filter.trim().toLowerCase();
  return (
    <>
      <PageTitle description="Rooms, equipment, amenities, parking, accessibility and opening hours per location.">
        Locations
      </PageTitle>
      <Group justify="space-between" mb="md" align="end">
        <TextInput
          label="Filter"
          placeholder="Name, code or city"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
        <ButtonLink to="/admin/locations/new">New location</ButtonLink>
      </Group>
      <QueryView query={q} label="Loading locations…">
        {(page) => (
          <Table.ScrollContainer minWidth={700}>
            <Table striped highlightOnHover aria-label="Locations">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Code</Table.Th>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>City</Table.Th>
                  <Table.Th>Time zone</Table.Th>
                  <Table.Th>Accessible parking</Table.Th>
                  <Table.Th>Status</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {page.items
                  .filter((l) => !f || `${l.name} ${l.code} ${l.city ?? ""}`.toLowerCase().includes(f))
                  .map((l) => (
                    <Table.Tr key={l.id}>
                      <Table.Td>{l.code}</Table.Td>
                      <Table.Td>
                        <Link to={`/admin/locations/${l.id}`}>{l.name}</Link>
                      </Table.Td>
                      <Table.Td>{humanize(l.kind)}</Table.Td>
                      <Table.Td>{l.city ?? "—"}</Table.Td>
                      <Table.Td>{l.timeZone}</Table.Td>
                      <Table.Td>{l.parking.accessibleSpaces}</Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600} c={l.active ? "green.9" : "dimmed"}>
                          {l.active ? "Active" : "Inactive"}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryView>
    </>
  );
}
