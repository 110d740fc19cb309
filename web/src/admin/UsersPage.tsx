/** Users, their role and scope: which locations a front desk sees, which departments a head runs. */
import {
  Button,
  Group,
  Modal,
  Pagination,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from "@mantine/core";
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { roles } from "../../../src/platform/access.js";
import { userInput, userPatch } from "../../../src/platform/identity/schema.js";
import { api, type FieldErrors, fieldErrorsOf, type Page, validate } from "../shared/api.js";
import { physicianName, useLocations, usePhysicians } from "../shared/queries.js";
import { SearchableMultiSelect, SearchableSelect } from "../shared/SearchablePickers.js";
import type { Department, Role, User } from "../shared/types.js";
import { ErrorAlert, humanize, PageTitle, QueryView } from "../shared/ui.js";

const PAGE = 25;

export function UsersPage() {
  const [role, setRole] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const { byId: locations } = useLocations();
  const users = useQuery({
    queryKey: ["users", role, q, page],
    queryFn: () =>
      api.get<Page<User>>("/api/v1/users", {
        role: role ?? undefined,
        q: q.trim() || undefined,
        limit: PAGE,
        offset: (page - 1) * PAGE,
      }),
  });
  return (
    <>
      <PageTitle description="Each user has one role; staff and department heads also have a scope.">
        Users and scopes
      </PageTitle>
      <Group align="end" mb="md" justify="space-between">
        <Group align="end">
          <Select
            label="Role"
            clearable
            data={roles.map((r) => ({ value: r, label: humanize(r) }))}
            value={role}
            onChange={(v) => {
              setRole(v);
              setPage(1);
            }}
          />
          <TextInput
            label="Search"
            placeholder="Name or email"
            value={q}
            onChange={(e) => {
              setQ(e.currentTarget.value);
              setPage(1);
            }}
          />
        </Group>
        <Button onClick={() => setEditing("new")}>New user</Button>
      </Group>
      <QueryView query={users} label="Loading users…">
        {(p) => (
          <Stack>
            <Table.ScrollContainer minWidth={640}>
              <Table striped aria-label="Users">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Email</Table.Th>
                    <Table.Th>Role</Table.Th>
                    <Table.Th>Scope</Table.Th>
                    <Table.Th>Status</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {p.items.map((u) => (
                    <Table.Tr key={u.id}>
                      <Table.Td>{u.displayName}</Table.Td>
                      <Table.Td>{u.email}</Table.Td>
                      <Table.Td>{humanize(u.role)}</Table.Td>
                      <Table.Td>
                        {u.locationIds.map((id) => locations.get(id)?.code ?? id).join(", ") ||
                          (u.departmentIds.length ? `${u.departmentIds.length} department(s)` : "—")}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" fw={600} c={u.active ? "green.9" : "dimmed"}>
                          {u.active ? "Active" : "Deactivated"}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="compact-xs"
                          variant="light"
                          onClick={() => setEditing(u)}
                          aria-label={`Edit ${u.displayName}`}
                        >
                          Edit
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            <Group justify="space-between">
              <Text size="sm">{p.total} users</Text>
              <Pagination
                total={Math.max(1, Math.ceil(p.total / PAGE))}
                value={page}
                onChange={setPage}
                size="sm"
                getControlProps={(c) => ({ "aria-label": `${c} page` })}
              />
            </Group>
          </Stack>
        )}
      </QueryView>
      {editing ? (
        <UserDialog user={editing === "new" ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
    </>
  );
}

/** Departments of every location, labelled "Cardiology — Main Campus", for the scope picker. */
function useAllDepartments() {
  const { locations } = useLocations();
  const lists = useQueries({
    queries: locations.map((l) => ({
      queryKey: ["departments", l.id],
      queryFn: () => api.get<{ items: Department[] }>(`/api/v1/locations/${l.id}/departments`),
      staleTime: 5 * 60_000,
    })),
  });
  const name = new Map(locations.map((l) => [l.id, l.name]));
  return lists
    .flatMap((q) => q.data?.items ?? [])
    .map((d) => ({ value: d.id, label: `${d.name} — ${name.get(d.locationId) ?? ""}` }));
}

function UserDialog({ user, onClose }: { user: User | null; onClose: () => void }) {
  const client = useQueryClient();
  const { locations } = useLocations();
  const departments = useAllDepartments();
  const physicians = usePhysicians();
  const [form, setForm] = useState({
    email: user?.email ?? "",
    displayName: user?.displayName ?? "",
    role: (user?.role ?? "location_staff") as Role,
    password: "",
    patientId: user?.patientId ?? "",
    physicianId: user?.physicianId ?? null,
    locationIds: user?.locationIds ?? [],
    departmentIds: user?.departmentIds ?? [],
    active: user?.active ?? true,
  });
  const [clientErrors, setClientErrors] = useState<FieldErrors>({});
  const save = useMutation({
    mutationFn: (body: unknown) =>
      user ? api.patch<User>(`/api/v1/users/${user.id}`, body) : api.post<User>("/api/v1/users", body),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ["users"] });
      onClose();
    },
  });
  const errors = { ...fieldErrorsOf(save.error), ...clientErrors };

  function submit() {
    const checked = user
      ? validate(userPatch, {
          displayName: form.displayName,
          active: form.active,
          ...(form.password ? { password: form.password } : {}),
          ...(form.role === "location_staff" ? { locationIds: form.locationIds } : {}),
          ...(form.role === "department_head" ? { departmentIds: form.departmentIds } : {}),
        })
      : validate(userInput, {
          email: form.email.trim(),
          displayName: form.displayName,
          role: form.role,
          ...(form.password ? { password: form.password } : {}),
          patientId: form.role === "patient" ? form.patientId.trim() || null : null,
          physicianId: form.role === "physician" ? form.physicianId : null,
          locationIds: form.role === "location_staff" ? form.locationIds : [],
          departmentIds: form.role === "department_head" ? form.departmentIds : [],
        });
    if (!checked.ok) return setClientErrors(checked.errors);
    setClientErrors({});
    save.mutate(checked.data);
  }

  return (
    <Modal opened onClose={onClose} title={user ? `Edit ${user.displayName}` : "New user"} size="lg">
      <Stack>
        <ErrorAlert error={save.error} title="Not saved" shownFields={Object.keys(errors)} />
        <TextInput
          label="Email"
          required
          disabled={!!user}
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
          error={errors.email}
        />
        <TextInput
          label="Display name"
          required
          value={form.displayName}
          onChange={(e) => setForm({ ...form, displayName: e.currentTarget.value })}
          error={errors.displayName}
        />
        <Select
          label="Role"
          disabled={!!user}
          data={roles.map((r) => ({ value: r, label: humanize(r) }))}
          value={form.role}
          onChange={(v) => v && setForm({ ...form, role: v as Role })}
          allowDeselect={false}
          error={errors.role}
        />
        {form.role === "location_staff" ? (
          <SearchableMultiSelect
            label="Locations"
            required
            data={locations.map((l) => ({ value: l.id, label: l.name }))}
            value={form.locationIds}
            onChange={(v) => setForm({ ...form, locationIds: v })}
            error={errors.locationIds}
          />
        ) : null}
        {form.role === "department_head" ? (
          <SearchableMultiSelect
            label="Departments"
            required
            data={departments}
            value={form.departmentIds}
            onChange={(v) => setForm({ ...form, departmentIds: v })}
            error={errors.departmentIds}
          />
        ) : null}
        {form.role === "physician" && !user ? (
          <SearchableSelect
            label="Physician record"
            required
            data={(physicians.data?.items ?? []).map((p) => ({ value: p.id, label: physicianName(p) }))}
            value={form.physicianId}
            onChange={(v) => setForm({ ...form, physicianId: v })}
            error={errors.physicianId}
          />
        ) : null}
        {form.role === "patient" && !user ? (
          <TextInput
            label="Patient record id"
            description="From the patient's record"
            required
            value={form.patientId}
            onChange={(e) => setForm({ ...form, patientId: e.currentTarget.value })}
            error={errors.patientId}
          />
        ) : null}
        <PasswordInput
          label={user ? "New password (leave empty to keep)" : "Password"}
          description="At least 12 characters"
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
          error={errors.password}
        />
        {user ? (
          <Switch
            label="Active"
            checked={form.active}
            onChange={(e) => setForm({ ...form, active: e.currentTarget.checked })}
          />
        ) : null}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.isPending}>
            {user ? "Save" : "Create user"}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
