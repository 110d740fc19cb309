/** The "where" and "when" of an availability search, shared by the patient's and the front desk's search. */
import { MultiSelect } from "@mantine/core";
import { DatePickerInput } from "@mantine/dates";
import type { Location } from "./types.js";

export type DateRange = [string | null, string | null];

export function LocationsField({
  locations,
  value,
  onChange,
  error,
  description,
}: {
  locations: readonly Location[];
  value: string[];
  onChange: (ids: string[]) => void;
  error?: string | undefined;
  description?: string;
}) {
  return (
    <MultiSelect
      label="Locations"
      description={description}
      placeholder={value.length ? undefined : "Anywhere in the network"}
      searchable
      clearable
      data={locations.filter((l) => l.active).map((l) => ({ value: l.id, label: l.name }))}
      value={value}
      onChange={onChange}
      error={error}
    />
  );
}

export function DateRangeField({
  value,
  onChange,
  minDate,
  error,
}: {
  value: DateRange;
  onChange: (range: DateRange) => void;
  minDate: string;
  error?: string | undefined;
}) {
  return (
    <DatePickerInput
      type="range"
      label="Dates"
      valueFormat="D MMM YYYY"
      required
      allowSingleDateInRange
      minDate={minDate}
      value={value}
      onChange={(v) => onChange([v[0] ? String(v[0]) : null, v[1] ? String(v[1]) : null])}
      error={error}
    />
  );
}
