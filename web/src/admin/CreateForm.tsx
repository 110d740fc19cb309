/** The small create form under each facility list: a hook that validates and posts, and its layout. */
import { Button, Grid, type GridColProps, Paper, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import { api, type FieldErrors, fieldErrorsOf, validate } from "../shared/api.js";
import { ErrorAlert } from "../shared/ui.js";

/** A small create form: validate with the API's schema, post, refresh the list. */
export function useCreate<T>(path: string, listKey: unknown[]) {
  const client = useQueryClient();
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const create = useMutation({
    mutationFn: (body: unknown) => api.post<T>(path, body),
    onSuccess: () => client.invalidateQueries({ queryKey: listKey }),
  });
  return {
    create,
    errors: { ...fieldErrorsOf(create.error), ...clientErrors },
    submit: (schema: Parameters<typeof validate>[0], value: unknown, done: () => void) => {
      const checked = validate(schema, value);
      if (!checked.ok) return setClientErrors(checked.errors);
      setClientErrors({});
      create.mutate(checked.data, { onSuccess: done });
    },
  };
}

/** The "Add …" form under a list: its title, what the server refused, the fields, and an Add button. */
export function CreateForm({
  title,
  onSubmit,
  error,
  shownFields,
  pending,
  buttonSpan,
  children,
}: {
  title: string;
  onSubmit: (e: FormEvent) => void;
  error: unknown;
  shownFields: readonly string[];
  pending: boolean;
  buttonSpan: GridColProps["span"];
  children: ReactNode;
}) {
  return (
    <Paper withBorder p="sm">
      <form onSubmit={onSubmit} noValidate aria-label={title}>
        <Title order={3} size="h5" mb="xs">
          {title}
        </Title>
        <ErrorAlert error={error} shownFields={shownFields} />
        <Grid align="end">
          {children}
          <Grid.Col span={buttonSpan}>
            <Button type="submit" fullWidth loading={pending}>
              Add
            </Button>
          </Grid.Col>
        </Grid>
      </form>
    </Paper>
  );
}
