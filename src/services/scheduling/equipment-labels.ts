/** How an option or appointment names its equipment: each item, and where one that travels comes from. */
import type { NetworkSnapshot } from "../locations/index.js";
import type { EquipmentInUse } from "./appointments.schema.js";

/** The items by id as the snapshot knows them; one that travels to `locationId` is "brought from" its home. */
export function equipmentInUseAt(
  snapshot: Pick<NetworkSnapshot, "equipment" | "locations">,
  ids: readonly string[],
  locationId: string,
): EquipmentInUse[] {
  return ids.map((id) => {
    const item = snapshot.equipment.find((e) => e.id === id);
    if (!item) return { id, name: "Equipment no longer in service", kind: "", broughtFrom: null };
    const away = item.travels && item.locationId !== locationId;
    const home = away ? snapshot.locations.find((l) => l.id === item.locationId) : undefined;
    return {
      id,
      name: item.name,
      kind: item.kind,
      broughtFrom: away ? { locationId: item.locationId, locationName: home?.name ?? "" } : null,
    };
  });
}
