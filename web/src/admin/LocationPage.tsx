/** One location: its details, departments, rooms and equipment. */
import { Tabs } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import { ImagingWorklist } from "../shared/ImagingWorklist.js";
import { OverbookingRule } from "../shared/OverbookingRule.js";
import { Link } from "../shared/router.js";
import type { Location } from "../shared/types.js";
import { PageTitle, QueryView } from "../shared/ui.js";
import { Departments, Equipment, Rooms } from "./Facilities.js";
import { IndoorMap } from "./IndoorMap.js";
import { LocationForm } from "./LocationForm.js";

export function LocationPage({ id }: { id: string }) {
  const isNew = id === "new";
  const location = useQuery({
    queryKey: ["location", id],
    enabled: !isNew,
    queryFn: () => api.get<Location>(`/api/v1/locations/${id}`),
  });
  if (isNew)
    return (
      <>
        <PageTitle>New location</PageTitle>
        <LocationForm location={null} />
      </>
    );
  return (
    <>
      <PageTitle description={<Link to="/admin">All locations</Link>}>
        {location.data?.name ?? "Location"}
      </PageTitle>
      <QueryView query={location} what="location" back={{ to: "/admin", label: "All locations" }}>
        {(l) => (
          <Tabs defaultValue="details" keepMounted={false}>
            <Tabs.List>
              <Tabs.Tab value="details">Details</Tabs.Tab>
              <Tabs.Tab value="departments">Departments</Tabs.Tab>
              <Tabs.Tab value="rooms">Rooms</Tabs.Tab>
              <Tabs.Tab value="equipment">Equipment</Tabs.Tab>
              <Tabs.Tab value="overbooking">Overbooking</Tabs.Tab>
              {l.kind === "virtual" ? null : <Tabs.Tab value="imaging">Imaging worklist</Tabs.Tab>}
              {l.kind === "virtual" ? null : <Tabs.Tab value="map">Indoor map</Tabs.Tab>}
            </Tabs.List>
            <Tabs.Panel value="details" pt="md">
              <LocationForm key={l.updatedAt} location={l} />
            </Tabs.Panel>
            <Tabs.Panel value="departments" pt="md">
              <Departments locationId={l.id} />
            </Tabs.Panel>
            <Tabs.Panel value="rooms" pt="md">
              <Rooms locationId={l.id} />
            </Tabs.Panel>
            <Tabs.Panel value="equipment" pt="md">
              <Equipment locationId={l.id} />
            </Tabs.Panel>
            <Tabs.Panel value="overbooking" pt="md">
              <OverbookingRule locationId={l.id} />
            </Tabs.Panel>
            <Tabs.Panel value="imaging" pt="md">
              <ImagingWorklist locationId={l.id} manage />
            </Tabs.Panel>
            <Tabs.Panel value="map" pt="md">
              <IndoorMap locationId={l.id} />
            </Tabs.Panel>
          </Tabs>
        )}
      </QueryView>
    </>
  );
}
