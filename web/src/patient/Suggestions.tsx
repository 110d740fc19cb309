/**
 * "Suggested for you": the best few times for the patient from the same search, each saying why
 * (in the patient's language). Every suggestion is a signed option of the search: booking it is
 * booking that option.
 */
import { Badge, Button, Card, Group, List, Paper, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { api } from "../shared/api.js";
import type { NetworkSearch } from "../shared/search.js";
import { addDays } from "../shared/time.js";
import type { SlotOptionDto, SuggestionsResult } from "../shared/types.js";
import { ZonedDateTime } from "../shared/ui.js";

const HEADINGS: Record<string, string> = { en: "Suggested for you", es: "Sugerencias para usted" };

function suggestionsFor(s: NetworkSearch): Promise<SuggestionsResult> {
  const fromMs = Math.max(Date.now(), new Date(`${s.from}T00:00:00`).getTime());
  return api.get<SuggestionsResult>("/api/v1/availability/suggestions", {
    appointmentTypeId: s.appointmentTypeId,
    specialty: s.physicianId ? undefined : (s.specialty ?? undefined),
    physicianId: s.physicianId ?? undefined,
    patientId: s.patientId,
    locationIds: s.locationIds.length ? s.locationIds : undefined,
    from: new Date(fromMs).toISOString(),
    to: new Date(`${addDays(s.to, 1)}T00:00:00`).toISOString(),
    stepFree: s.stepFree ? "true" : undefined,
    telehealth: s.telehealth ? "true" : undefined,
    count: 3,
  });
}

export function Suggestions({
  search,
  onChoose,
  busyId,
  actionLabel,
}: {
  search: NetworkSearch;
  onChoose: (o: SlotOptionDto) => void;
  busyId: string | undefined;
  actionLabel: string;
}) {
  const answer = useQuery({ queryKey: ["suggestions", search], queryFn: () => suggestionsFor(search) });
  // the full list below still answers when suggestions cannot: nothing to show here then
  if (!answer.data || answer.data.suggestions.length === 0) return null;
  const language = answer.data.language;
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="suggested-heading">
      <Title order={2} size="h3" id="suggested-heading" mb="sm" lang={language}>
        {HEADINGS[language] ?? HEADINGS.en}
      </Title>
      <Stack gap="sm" component="ul" p={0} m={0} style={{ listStyle: "none" }}>
        {answer.data.suggestions.map(({ option: o, reasons }) => (
          <Card key={o.id} withBorder padding="sm" component="li" data-testid="suggestion">
            <Group justify="space-between" wrap="wrap" gap="sm">
              <Stack gap={4}>
                <Text fw={600}>
                  <ZonedDateTime iso={o.start} zone={o.local.timeZone} />
                </Text>
                <Text size="sm">
                  {o.physicianName} · {o.locationName}
                  {o.telehealth ? (
                    <Badge variant="outline" ml="xs">
                      Video visit
                    </Badge>
                  ) : null}
                </Text>
                <List size="sm" lang={language} aria-label="Why this time">
                  {reasons.map((r) => (
                    <List.Item key={r.code}>{r.text}</List.Item>
                  ))}
                </List>
              </Stack>
              <Button
                onClick={() => onChoose(o)}
                loading={busyId === o.id}
                disabled={busyId !== undefined && busyId !== o.id}
                aria-label={`${actionLabel}: ${o.local.date} ${o.local.time} ${o.telehealth ? "video visit" : `at ${o.locationName}`} with ${o.physicianName} (suggested)`}
              >
                {actionLabel}
              </Button>
            </Group>
          </Card>
        ))}
      </Stack>
    </Paper>
  );
}
