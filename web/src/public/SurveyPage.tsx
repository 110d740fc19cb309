/**
 * The page a satisfaction survey's message links to (`/survey/<token>`): a rating from 1 to 5 and
 * an optional comment, answered once. The link is its own credential (no sign-in) and shows only
 * the survey's state, its closing date and the visit's date.
 */
import { Alert, Button, Container, Paper, Radio, Stack, Text, Textarea } from "@mantine/core";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { SurveyLink } from "../../../src/services/analytics/quality/schema.js";
import { ApiError, api, fieldErrorsOf } from "../shared/api.js";
import { ErrorAlert, Loading, PageTitle } from "../shared/ui.js";

const RATINGS = [
  { value: "5", label: "5 — Excellent" },
  { value: "4", label: "4 — Good" },
  { value: "3", label: "3 — Fair" },
  { value: "2", label: "2 — Poor" },
  { value: "1", label: "1 — Very poor" },
];

const day = (iso: string) =>
  new Intl.DateTimeFormat(undefined, { dateStyle: "long", timeZone: "UTC" }).format(new Date(iso));

export function SurveyPage({ token }: { token: string }) {
  const [rating, setRating] = useState<string>("");
  const [comment, setComment] = useState("");
  const url = `/api/v1/surveys/links/${encodeURIComponent(token)}`;
  const view = useQuery({
    queryKey: ["survey", token],
    queryFn: () => api.get<SurveyLink>(url),
    retry: false,
  });
  const answer = useMutation({
    mutationFn: () =>
      api.post<SurveyLink>(`${url}/answer`, {
        rating: Number(rating),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      }),
    onSettled: () => void view.refetch(),
  });
  const fields = fieldErrorsOf(answer.error);

  let body: React.ReactNode;
  if (view.error instanceof ApiError && view.error.status === 404)
    body = (
      <>
        <PageTitle>This link is not valid</PageTitle>
        <Text>It may have been mistyped or cut short. Open the link from your message again.</Text>
      </>
    );
  else if (view.error) body = <ErrorAlert error={view.error} title="The survey could not be shown" />;
  else if (!view.data) body = <Loading label="Opening the survey…" />;
  else if (view.data.state === "answered")
    body = (
      <>
        <PageTitle key="answered">Thank you for your answer</PageTitle>
        <Text>
          {answer.isSuccess
            ? "We have your rating. It helps us improve care at our locations."
            : "This survey has already been answered, and answers cannot be changed."}
        </Text>
      </>
    );
  else if (view.data.state === "expired")
    body = (
      <>
        <PageTitle key="expired">This survey has closed</PageTitle>
        <Text>It was open until {day(view.data.expiresAt)}; answers are no longer taken.</Text>
      </>
    );
  else
    body = (
      <>
        <PageTitle description={`About your visit on ${day(view.data.visitDate)}.`}>
          How was your visit?
        </PageTitle>
        {answer.error && !fields["body.rating"] && !fields["body.comment"] ? (
          <ErrorAlert error={answer.error} title="Your answer was not saved" />
        ) : null}
        <Paper
          withBorder
          p="md"
          component="form"
          onSubmit={(e: React.FormEvent) => {
            e.preventDefault();
            answer.mutate();
          }}
        >
          <Stack>
            <Radio.Group
              label="Your rating"
              description="From 1 (very poor) to 5 (excellent)"
              value={rating}
              onChange={setRating}
              required
              error={fields["body.rating"]}
            >
              <Stack gap="xs" mt="xs">
                {RATINGS.map((r) => (
                  <Radio key={r.value} value={r.value} label={r.label} />
                ))}
              </Stack>
            </Radio.Group>
            <Textarea
              label="Comment (optional)"
              description="What went well, what could be better. Please do not include medical details."
              maxLength={2000}
              autosize
              minRows={3}
              value={comment}
              onChange={(e) => setComment(e.currentTarget.value)}
              error={fields["body.comment"]}
            />
            <Text size="sm">You can answer once; the survey is open until {day(view.data.expiresAt)}.</Text>
            <Button
              type="submit"
              disabled={!rating}
              loading={answer.isPending}
              style={{ alignSelf: "flex-start" }}
            >
              Send my answer
            </Button>
          </Stack>
        </Paper>
      </>
    );
  return (
    <Container size="sm" py="lg" component="main">
      <Stack>
        {body}
        <Alert variant="light" color="gray" title="About this survey">
          Your answer is shared with the location and physician as part of their results; it does not change
          your care.
        </Alert>
      </Stack>
    </Container>
  );
}
