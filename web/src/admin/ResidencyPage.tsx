/**
 * Data residency (Compliance → Data residency), for compliance officers and administrators: each
 * region with its tablespace, and for each location where each kind of its data lives and whether
 * that is in its region. Read from the database's catalogue by the server; every reading is audited.
 */
import { Badge, Select, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { ResidencyReport } from "../../../src/platform/residency/index.js";
import { api } from "../shared/api.js";
import { humanize, PageTitle, QueryView } from "../shared/ui.js";

type Place = ResidencyReport["locations"][number]["data"][number];

/** "placed" in green; "shared: why" in gray with its reason as text (the words carry the meaning). */
function Placement({ p }: { p: Place }) {
  if (p.placement === "placed") return <Badge color="green.9">Placed in its region</Badge>;
  return (
    <Stack gap={2}>
      <Badge color="gray.7" variant="outline">
        Shared
      </Badge>
      <Text size="sm">{p.placement.replace(/^shared: /, "")}</Text>
    </Stack>
  );
}

export function ResidencyPage() {
  const [region, setRegion] = useState<string | null>(null);
  const all = useQuery({
    queryKey: ["residency", null],
    queryFn: () => api.get<ResidencyReport>("/api/v1/admin/residency"),
  });
  const report = useQuery({
    queryKey: ["residency", region],
    queryFn: () =>
      api.get<ResidencyReport>(
        `/api/v1/admin/residency${region ? `?region=${encodeURIComponent(region)}` : ""}`,
      ),
    enabled: region !== null,
  });
  const regions = all.data?.regions.map((r) => r.region) ?? [];
  return (
    <>
      <PageTitle description="Where each location's data lives (database, table, partition, tablespace), read from the database's catalogue, and whether that is in the location's region.">
        Data residency
      </PageTitle>
      <Select
        label="Region"
        placeholder="Every region"
        clearable
        mb="md"
        maw={320}
        data={regions}
        value={region}
        onChange={setRegion}
      />
      <QueryView query={region ? report : all} label="Reading where the data lives…">
        {(r) => (
          <Stack gap="lg">
            <Text>
              {r.database.kind === "embedded"
                ? "Embedded database: every region lives in its one data directory (no tablespaces)."
                : `PostgreSQL server ${r.database.host ?? "on a local socket"}, database ${r.database.name}.`}
            </Text>
            <Table.ScrollContainer minWidth={520}>
              <Table aria-label="Regions">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Region</Table.Th>
                    <Table.Th scope="col">Locations</Table.Th>
                    <Table.Th scope="col">Tablespace</Table.Th>
                    <Table.Th scope="col">Tablespace exists</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {r.regions.map((g) => (
                    <Table.Tr key={g.region}>
                      <Table.Th scope="row">{g.region}</Table.Th>
                      <Table.Td>{g.locations}</Table.Td>
                      <Table.Td>{g.tablespace ?? "default (none configured)"}</Table.Td>
                      <Table.Td>{g.tablespace ? (g.tablespaceExists ? "Yes" : "No") : "—"}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {r.locations.map((l) => (
              <section key={l.id} aria-labelledby={`residency-${l.id}`}>
                <Title order={2} size="h4" id={`residency-${l.id}`} mb="xs">
                  {l.name} — {l.region}
                </Title>
                <Table.ScrollContainer minWidth={720}>
                  <Table aria-label={`Where ${l.name}'s data lives`}>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">Data</Table.Th>
                        <Table.Th scope="col">Database</Table.Th>
                        <Table.Th scope="col">Table and partition</Table.Th>
                        <Table.Th scope="col">Tablespace</Table.Th>
                        <Table.Th scope="col">In its region?</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {l.data.map((d) => (
                        <Table.Tr key={d.kind}>
                          <Table.Th scope="row">{humanize(d.kind)}</Table.Th>
                          <Table.Td>{d.database}</Table.Td>
                          <Table.Td>
                            {d.table ?? "—"}
                            {d.partition ? ` (${d.partition})` : ""}
                          </Table.Td>
                          <Table.Td>{d.tablespace}</Table.Td>
                          <Table.Td>
                            <Placement p={d} />
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Table.ScrollContainer>
              </section>
            ))}
          </Stack>
        )}
      </QueryView>
    </>
  );
}
