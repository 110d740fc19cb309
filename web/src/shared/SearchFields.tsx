/** The fields of an availability search, shared by the patient's and the front desk's search. */
import { DatePickerInput } from "@mantine/dates";
import { physicianName } from "./queries.js";
import { SearchableMultiSelect, SearchableSelect } from "./SearchablePickers.js";
import type { Location, Physician, Specialty } from "./types.js";

export type DateRange = [string | null, string | null];

/** Which specialty: required, searchable; choosing another one is the caller's cue to reset the type and physician. */
export function SpecialtyField({
  specialties,
  value,
  onChange,
  error,
  disabled,
  placeholder,
}: {
  specialties: readonly Specialty[];
  value: string | null;
  onChange: (code: string | null) => void;
  error?: string | undefined;
  disabled: boolean;
  placeholder?: string;
}) {
  return (
    <SearchableSelect
      label="Specialty"
      placeholder={placeholder}
      required
      data={specialties.map((s) => ({ value: s.code, label: s.name }))}
      value={value}
      onChange={onChange}
      error={error}
      disabled={disabled}
    />
  );
}

/** Which physician, or any physician of the specialty when left empty. */
export function PhysicianField({
  physicians,
  value,
  onChange,
  error,
  disabled,
}: {
  physicians: readonly Physician[];
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string | undefined;
  disabled?: boolean;
}) {
  return (
    <SearchableSelect
      label="Physician"
      placeholder="Any physician"
      clearable
      data={physicians.map((p) => ({ value: p.id, label: physicianName(p) }))}
      value={value}
      onChange={onChange}
      disabled={disabled}
      error={error}
    />
  );
}

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
    <SearchableMultiSelect
      label="Locations"
      description={description}
      placeholder={value.length ? undefined : "Anywhere in the network"}
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
