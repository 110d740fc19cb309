/** How one person hears from us: channels, language of messages and quiet hours. */
import { Button, Checkbox, Group, Paper, Select, Stack, Switch, Text, TextInput, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
// types only: the schema module reaches the server's template files
import type { Preferences, PreferencesInput } from "../../../src/services/notifications/schema.js";
import { api, fieldErrorsOf } from "../shared/api.js";
import { viewerZone } from "../shared/time.js";
import { ErrorAlert, QueryView } from "../shared/ui.js";

const CHANNELS = [
  { key: "email", label: "Email" },
  { key: "sms", label: "Text message (SMS)" },
  { key: "inApp", label: "Messages in this app" },
] as const;

const MESSAGE_LANGUAGES = [
  { value: "en", label: "English" },
  { value: "es", label: "Spanish" },
];

export function MessagePreferences({ patientId }: { patientId: string }) {
  const prefs = useQuery({
    queryKey: ["notification-preferences", patientId],
    queryFn: () => api.get<Preferences>(`/api/v1/patients/${patientId}/notification-preferences`),
  });
  return (
    <QueryView query={prefs} label="Loading message settings…">
      {(p) => <MessagePreferencesForm key={`${p.patientId}-${p.updatedAt ?? ""}`} prefs={p} />}
    </QueryView>
  );
}

function MessagePreferencesForm({ prefs }: { prefs: Preferences }) {
  const client = useQueryClient();
  const [channels, setChannels] = useState(prefs.channels);
  const [language, setLanguage] = useState(prefs.language);
  const [quiet, setQuiet] = useState(prefs.quietHours !== null);
  const [start, setStart] = useState(prefs.quietHours?.start ?? "21:00");
  const [end, setEnd] = useState(prefs.quietHours?.end ?? "08:00");
  const zone = prefs.quietHours?.timeZone ?? viewerZone;
  const save = useMutation({
    mutationFn: (body: unknown) =>
      api.put<Preferences>(`/api/v1/patients/${prefs.patientId}/notification-preferences`, body),
    onSuccess: (saved) => {
      client.setQueryData(["notification-preferences", saved.patientId], saved);
      notifications.show({ color: "green", title: "Saved", message: "Your message settings are saved." });
    },
  });
  const errors = fieldErrorsOf(save.error);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const body: PreferencesInput = {
      channels,
      language,
      quietHours: quiet ? { start, end, timeZone: zone } : null,
    };
    save.mutate(body);
  }

  return (
    <Paper withBorder p="md" maw={760}>
      <form onSubmit={submit} noValidate aria-label="Messages">
        <Stack>
          <Title order={2} size="h4">
            Messages about appointments
          </Title>
          <ErrorAlert error={save.error} title="Not saved" shownFields={Object.keys(errors)} />
          <Checkbox.Group
            label="Send confirmations and reminders by"
            value={CHANNELS.filter((c) => channels[c.key]).map((c) => c.key)}
            onChange={(chosen) =>
              setChannels({
                email: chosen.includes("email"),
                sms: chosen.includes("sms"),
                inApp: chosen.includes("inApp"),
              })
            }
            error={errors.channels}
          >
            <Group mt="xs">
              {CHANNELS.map((c) => (
                <Checkbox key={c.key} value={c.key} label={c.label} />
              ))}
            </Group>
          </Checkbox.Group>
          <Select
            label="Language of messages"
            data={MESSAGE_LANGUAGES}
            value={language}
            onChange={(v) => setLanguage(v ?? language)}
            allowDeselect={false}
            maw={260}
            error={errors.language}
          />
          <Switch
            label="Quiet hours: hold emails and texts overnight"
            checked={quiet}
            onChange={(e) => setQuiet(e.currentTarget.checked)}
          />
          {quiet ? (
            <Group align="flex-start">
              <TextInput
                type="time"
                label="From"
                value={start}
                onChange={(e) => setStart(e.currentTarget.value)}
                error={errors["quietHours.start"]}
              />
              <TextInput
                type="time"
                label="Until"
                value={end}
                onChange={(e) => setEnd(e.currentTarget.value)}
                error={errors["quietHours.end"]}
              />
              <Text size="sm" c="dimmed" mt={30}>
                {zone} time
              </Text>
            </Group>
          ) : null}
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save message settings
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
