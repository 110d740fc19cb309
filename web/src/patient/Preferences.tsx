/** Preferred locations, language and accessibility needs — for the patient and each dependent. */
import { Button, Checkbox, Group, Paper, Select, SimpleGrid, Stack } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { accessibilityNeeds, patientPatch } from "../../../src/services/patients/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { CoverageForm } from "../shared/Eligibility.js";
import { useLocations, usePatient } from "../shared/queries.js";
import { SearchableMultiSelect, SearchableSelect } from "../shared/SearchablePickers.js";
import type { Me, Patient } from "../shared/types.js";
import { ErrorAlert, humanize, PageTitle, QueryView } from "../shared/ui.js";
import { MessagePreferences } from "./MessagePreferences.js";
import { usePeople } from "./people.js";

const LANGUAGES: Record<string, string> = {
  en: "English",
  es: "Spanish",
  zh: "Chinese",
  vi: "Vietnamese",
  ko: "Korean",
  fr: "French",
  de: "German",
  ar: "Arabic",
  ru: "Russian",
  pt: "Portuguese",
  hi: "Hindi",
  tl: "Tagalog",
  ht: "Haitian Creole",
  pl: "Polish",
  it: "Italian",
  ja: "Japanese",
};

export function Preferences({ me }: { me: Me }) {
  const { people } = usePeople(me);
  const [personId, setPersonId] = useState(me.patientId ?? "");
  const patient = usePatient(personId || null);
  return (
    <>
      <PageTitle description="Searches rank your preferred locations first and only offer rooms that meet your needs.">
        Preferences
      </PageTitle>
      {people.length > 1 ? (
        <Select
          label="Whose preferences"
          data={people.map((p) => ({
            value: p.patientId,
            label: p.relation === "you" ? `${p.name} (you)` : p.name,
          }))}
          value={personId}
          onChange={(v) => setPersonId(v ?? personId)}
          allowDeselect={false}
          maw={360}
          mb="md"
        />
      ) : null}
      <QueryView query={patient} label="Loading preferences…">
        {(p) => (
          <Stack gap="lg">
            <PreferencesForm key={p.id} patient={p} />
            <MessagePreferences key={`messages-${p.id}`} patientId={p.id} />
            <CoverageForm key={`coverage-${p.id}`} patientId={p.id} />
          </Stack>
        )}
      </QueryView>
    </>
  );
}

function PreferencesForm({ patient }: { patient: Patient }) {
  const client = useQueryClient();
  const { locations } = useLocations();
  const [preferred, setPreferred] = useState(patient.preferredLocationIds);
  const [language, setLanguage] = useState(patient.preferredLanguage);
  const [needs, setNeeds] = useState<string[]>(patient.accessibilityNeeds);
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) => api.patch<Patient>(`/api/v1/patients/${patient.id}`, body),
    onSuccess: (updated) => {
      client.setQueryData(["patient", updated.id], updated);
      notifications.show({ color: "green", title: "Saved", message: "Your preferences are saved." });
    },
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };
  const languages = { ...LANGUAGES, ...(LANGUAGES[language] ? {} : { [language]: language }) };

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const checked = validate(patientPatch, {
      preferredLocationIds: preferred,
      preferredLanguage: language,
      accessibilityNeeds: needs,
    });
    if (!checked.ok) {
      setClientErrors(checked.errors);
      return;
    }
    setClientErrors({});
    save.mutate(checked.data);
  }

  return (
    <Paper withBorder p="md" maw={760}>
      <form onSubmit={submit} noValidate aria-label="Preferences">
        <Stack>
          <ErrorAlert
            error={save.error}
            title="Not saved"
            shownFields={["preferredLocationIds", "preferredLanguage", "accessibilityNeeds"]}
          />
          <SearchableMultiSelect
            label="Preferred locations"
            description="Offered first when you search; up to 20."
            clearable
            maxValues={20}
            data={locations.map((l) => ({ value: l.id, label: l.name }))}
            value={preferred}
            onChange={setPreferred}
            error={errors.preferredLocationIds}
          />
          <SearchableSelect
            label="Preferred language"
            data={Object.entries(languages).map(([value, label]) => ({ value, label }))}
            value={language}
            onChange={(v) => setLanguage(v ?? language)}
            allowDeselect={false}
            error={errors.preferredLanguage}
          />
          <Checkbox.Group
            label="Accessibility needs"
            description="Clinics see these when you arrive; step-free needs also filter rooms."
            value={needs}
            onChange={setNeeds}
            error={errors.accessibilityNeeds}
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
              {accessibilityNeeds.map((n) => (
                <Checkbox key={n} value={n} label={humanize(n)} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save preferences
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
