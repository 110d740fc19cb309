/** A check-in, cancellation or note as screens make it: sent now, or kept for when the network returns. */
import { notifications } from "@mantine/notifications";
import { useMutation } from "@tanstack/react-query";
import { type NewChange, sendChange } from "./outbox.js";

export function useChange(onDone?: (outcome: "applied" | "queued" | "conflict") => void) {
  return useMutation({
    mutationFn: (change: NewChange) => sendChange(change),
    onSuccess: (result, change) => {
      if ("queued" in result)
        notifications.show({
          color: "yellow",
          title: "Saved on this device",
          message: `${change.label}: it will be sent when the connection returns.`,
        });
      if ("conflict" in result)
        notifications.show({
          color: "red",
          title: "Not applied",
          message: `${change.label}: the appointment changed meanwhile. Decide at the top of the page.`,
        });
      onDone?.("applied" in result ? "applied" : "queued" in result ? "queued" : "conflict");
    },
  });
}
