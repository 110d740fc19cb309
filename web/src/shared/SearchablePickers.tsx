/**
 * Searchable pickers (Mantine's Select and MultiSelect with `searchable`) open with the arrow keys
 * only; a keyboard user expects Enter and Space to open a closed picker too. With these, Enter or
 * Space on a closed picker opens its list (then the arrows choose and Enter picks); once it is
 * open, Space types into the search as usual. Every searchable picker in the app is one of these.
 */
import { MultiSelect, type MultiSelectProps, Select, type SelectProps } from "@mantine/core";
import { type KeyboardEvent, useState } from "react";

export function usePickerKeys() {
  const [opened, setOpened] = useState(false);
  return {
    dropdownOpened: opened,
    onDropdownOpen: () => setOpened(true),
    onDropdownClose: () => setOpened(false),
    onKeyDown: (e: KeyboardEvent<HTMLInputElement>) => {
      if (opened || e.nativeEvent.isComposing) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        setOpened(true);
      }
    },
  };
}

/** A searchable Select that opens with Enter or Space. */
export function SearchableSelect(props: Omit<SelectProps, "searchable">) {
  return <Select {...usePickerKeys()} {...props} searchable />;
}

/** A searchable MultiSelect that opens with Enter or Space. */
export function SearchableMultiSelect(props: Omit<MultiSelectProps, "searchable">) {
  return <MultiSelect {...usePickerKeys()} {...props} searchable />;
}
