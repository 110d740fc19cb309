/**
 * Says when the screen shows a saved copy (and how old it is), what waits to be sent, and the
 * changes that met a newer state of their appointment, for the person to apply anyway or discard.
 */
import { Alert, Button, Group, List, Stack, Text } from "@mantine/core";
import { useEffect, useState } from "react";
import { formatTime, viewerZone } from "../shared/time.js";
import { humanize } from "../shared/ui.js";
import { resolveChange } from "./outbox.js";
import { type QueuedChange, useOfflineState } from "./state.js";

function age(savedAt: number, now: number): string {
  const minutes = Math.max(0, Math.round((now - savedAt) / 60_000));
  if (minutes < 1) return "less than a minute ago";
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"} ago`;
  return `${Math.round(minutes / 60)} hours ago`;
}

/** The minute hand of the banner's "n minutes ago". */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function OfflineBanner() {
  const { offline, savedAt, changes } = useOfflineState();
  const now = useNow();
  const waiting = changes.filter((c) => c.state === "queued");
  const decide = changes.filter((c) => c.state !== "queued");
  return (
    <Stack gap="xs" mb={offline || changes.length ? "md" : 0}>
      <div role="status" aria-live="polite" data-testid="offline-banner">
        {offline ? (
          <Alert color="yellow" variant="light" title="You are offline">
            <Text size="sm" c="dark.9">
              {savedAt !== null
                ? `This screen shows data saved at ${new Date(savedAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })} (${age(savedAt, now)}); it may have changed since.`
                : "Rounds cannot be reached; screens you have not opened recently are not available."}{" "}
              {waiting.length
                ? `${waiting.length} change${waiting.length === 1 ? "" : "s"} will be sent when the connection returns.`
                : "Check-ins, cancellations and notes you make now are sent when the connection returns."}
            </Text>
          </Alert>
        ) : waiting.length ? (
          <Text size="sm">
            Sending {waiting.length} change{waiting.length === 1 ? "" : "s"} made offline…
          </Text>
        ) : null}
      </div>
      {decide.length ? (
        <Alert
          color="red"
          variant="light"
          title="Changes that need your decision"
          data-testid="offline-conflicts"
        >
          <List spacing="sm" listStyleType="none">
            {decide.map((c) => (
              <Conflict key={c.id} change={c} />
            ))}
          </List>
        </Alert>
      ) : null}
    </Stack>
  );
}

function Conflict({ change }: { change: QueuedChange }) {
  const [busy, setBusy] = useState(false);
  const act = (decision: "apply" | "discard") => async () => {
    setBusy(true);
    try {
      await resolveChange(change.id, decision);
    } finally {
      setBusy(false);
    }
  };
  const now = change.current;
  return (
    <List.Item>
      <Text size="sm" c="dark.9" fw={600}>
        {change.label}
      </Text>
      <Text size="sm" c="dark.9">
        {change.state === "conflict" && now
          ? `Not applied: the appointment changed after you made this change. It is now ${humanize(now.status)}, ${formatTime(now.start, now.local.timeZone ?? viewerZone)}${now.cancelReason ? ` (cancelled: ${now.cancelReason})` : ""}.`
          : `Not applied: ${change.message ?? "the server refused it"}.`}
      </Text>
      <Group gap="xs" mt={4}>
        {change.state === "conflict" ? (
          <Button
            size="compact-sm"
            onClick={act("apply")}
            loading={busy}
            aria-label={`Apply anyway: ${change.label}`}
          >
            Apply anyway
          </Button>
        ) : null}
        <Button
          size="compact-sm"
          variant="default"
          onClick={act("discard")}
          disabled={busy}
          aria-label={`Discard: ${change.label}`}
        >
          Discard
        </Button>
      </Group>
    </List.Item>
  );
}
