/** The imaging worklist of the front desk's location: AE title, stations, today's entries, last queries. */
import { Select, Text } from "@mantine/core";
import { useState } from "react";
import { ImagingWorklist } from "../shared/ImagingWorklist.js";
import { useLocations } from "../shared/queries.js";
import type { Me } from "../shared/types.js";
import { PageTitle } from "../shared/ui.js";

export function ImagingPage({ me }: { me: Me }) {
  const { byId } = useLocations();
  const [locationId, setLocationId] = useState<string | null>(me.locationIds[0] ?? null);
  return (
    <>
      <PageTitle description="What the scanners see on the DICOM modality worklist: your location's AE title, its imaging stations, today's entries and the last queries.">
        Imaging worklist
      </PageTitle>
      {me.locationIds.length > 1 ? (
        <Select
          label="Location"
          data={me.locationIds.map((id) => ({ value: id, label: byId.get(id)?.name ?? id }))}
          value={locationId}
          onChange={setLocationId}
          allowDeselect={false}
          mb="md"
          maw={360}
        />
      ) : null}
      {locationId ? (
        <ImagingWorklist key={locationId} locationId={locationId} />
      ) : (
        <Text>No location is assigned to you.</Text>
      )}
    </>
  );
}
