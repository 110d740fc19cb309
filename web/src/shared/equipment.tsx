/** Equipment an option or appointment uses, and where an item that travels is brought from. */
import { Text } from "@mantine/core";
import type { EquipmentInUse } from "./types.js";

/** "Portable Ultrasound system brought from Main Campus", for each item brought from elsewhere. */
export const broughtLines = (equipment: readonly EquipmentInUse[]): string[] =>
  equipment.flatMap((e) => (e.broughtFrom ? [`${e.name} brought from ${e.broughtFrom.locationName}`] : []));

/** Every item by name, with where it is brought from when it travels. */
export const equipmentSummary = (equipment: readonly EquipmentInUse[]): string =>
  equipment
    .map((e) => (e.broughtFrom ? `${e.name} (brought from ${e.broughtFrom.locationName})` : e.name))
    .join(", ");

/** A line per item brought from another location (nothing when all of it is the location's own). */
export function BroughtEquipment({ equipment }: { equipment: readonly EquipmentInUse[] }) {
  const lines = broughtLines(equipment);
  if (lines.length === 0) return null;
  return (
    <>
      {lines.map((line) => (
        <Text key={line} size="xs" data-testid="brought-equipment">
          {line}
        </Text>
      ))}
    </>
  );
}
