/** The rides of a day to and from the staff member's location, with what the transport service said. */
import { Group, Select, Stack } from "@mantine/core";
import { DateInput } from "@mantine/dates";
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import { type Ride, RidesTable } from "../shared/care.js";
import { useLocations } from "../shared/queries.js";
import { navigate, useLocation } from "../shared/router.js";
import { formatPlainDate, todayIn } from "../shared/time.js";
import type { Me } from "../shared/types.js";
import { PageTitle, QueryView } from "../shared/ui.js";

export function RidesPage({ me }: { me: Me }) {
  const { search } = useLocation();
  const { byId: locations } = useLocations();
  const locationId = search.get("location") ?? me.locationIds[0] ?? "";
  const location = locations.get(locationId);
  const zone = location?.timeZone ?? "UTC";
  const day = search.get("date") ?? todayIn(zone);
  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    next.set(key, value);
    navigate(`/staff/rides?${next.toString()}`, { replace: true });
  };
  const rides = useQuery({
    queryKey: ["rides", "location", locationId, day],
    enabled: !!locationId,
    queryFn: () => api.get<Ride[]>(`/api/v1/locations/${locationId}/rides`, { date: day }),
  });
  return (
    <>
      <PageTitle description="Rides picking up on this day that go to or leave from the location. A ride not sent yet shows why; Rounds keeps retrying.">
        Rides {day === todayIn(zone) ? "today" : `on ${formatPlainDate(day)}`} at{" "}
        {location?.name ?? "your location"}
      </PageTitle>
      <Stack>
        <Group align="end" gap="md" wrap="wrap">
          {me.locationIds.length > 1 ? (
            <Select
              label="Location"
              data={me.locationIds.map((id) => ({ value: id, label: locations.get(id)?.name ?? id }))}
              value={locationId}
              onChange={(v) => v && setParam("location", v)}
              allowDeselect={false}
            />
          ) : null}
          <DateInput
            label="Day"
            value={day}
            onChange={(v) => v && setParam("date", String(v))}
            valueFormat="YYYY-MM-DD"
          />
        </Group>
        <QueryView query={rides} label="Loading rides…">
          {(items) => <RidesTable rides={items} label="Rides of the day" showPatient />}
        </QueryView>
      </Stack>
    </>
  );
}
