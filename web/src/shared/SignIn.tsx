import { Button, Container, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { loginInput } from "../../../src/platform/identity/schema.js";
import { api, type FieldErrors, fieldErrorsOf, validate } from "./api.js";
import type { Me } from "./types.js";
import { ErrorAlert } from "./ui.js";

export function SignIn() {
  const client = useQueryClient();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const login = useMutation({
    mutationFn: (body: { email: string; password: string }) =>
      api.post<{ user: Me }>("/api/v1/auth/login", body),
    onSuccess: (result) => {
      client.setQueryData(["me"], result.user);
    },
  });
  const errors = { ...fieldErrorsOf(login.error), ...clientErrors };

  function submit(e: FormEvent) {
    e.preventDefault();
    const checked = validate(loginInput, { email: email.trim(), password });
    if (!checked.ok) {
      setClientErrors(checked.errors);
      return;
    }
    setClientErrors({});
    login.mutate(checked.data);
  }

  return (
    <Container size={420} py={60}>
      <Title order={1} ta="center">
        Rounds
      </Title>
      <Text c="dimmed" ta="center" mb="lg">
        Appointments across the hospital network
      </Text>
      <Paper withBorder shadow="sm" p="lg" component="main">
        <form onSubmit={submit} noValidate aria-label="Sign in">
          <Stack>
            <Title order={2} size="h3">
              Sign in
            </Title>
            <ErrorAlert error={login.error} title="Could not sign in" shownFields={["email", "password"]} />
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={errors.email}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={errors.password}
            />
            <Button type="submit" loading={login.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Container>
  );
}
