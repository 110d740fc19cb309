/**
 * Searchable pickers (Mantine's Select and MultiSelect with `searchable`) open with the arrow keys
 * only; a keyboard user expects Enter and Space to open a closed picker too. Spread these props on
 * the picker: Enter or Space on a closed picker opens its list (then arrows choose, Enter picks);
 * once open, Space types into the search as usual.
 */
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
