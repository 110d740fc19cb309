import { AppShell, Badge, Burger, Button, Group, NavLink, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import type { MouseEvent, ReactNode } from "react";
import { api } from "./api.js";
import { useLiveUpdates } from "./live.js";
import { navigate, useLocation } from "./router.js";
import type { Me } from "./types.js";
import { humanize } from "./ui.js";

export interface NavItem {
  to: string;
  label: string;
}

export function Layout({ me, nav, children }: { me: Me; nav: NavItem[]; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure(false);
  const { pathname } = useLocation();
  const client = useQueryClient();
  // compliance reviews the audit trail only: it has no schedule to follow
  const live = useLiveUpdates(me.role !== "compliance");
  // the most specific item wins: "/patient/appointments" over "/patient"
  const active = [...nav]
    .sort((a, b) => b.to.length - a.to.length)
    .find((n) => pathname === n.to || pathname.startsWith(`${n.to}/`));

  async function signOut() {
    try {
      await api.post("/api/v1/auth/logout");
    } finally {
      client.clear();
      client.setQueryData(["me"], null);
      navigate("/", { replace: true });
    }
  }

  const go = (to: string) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    close();
    navigate(to);
  };

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 230, breakpoint: "sm", collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? "Close navigation" : "Open navigation"}
            />
            <Text fw={700} size="lg" c="blue.8">
              Rounds
            </Text>
            <Badge variant="light" visibleFrom="xs" style={{ textTransform: "none" }}>
              {humanize(me.role)}
            </Badge>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {me.role !== "compliance" && (
              <Badge
                variant="dot"
                color={live === "live" ? "green" : "gray"}
                visibleFrom="xs"
                style={{ textTransform: "none" }}
                data-testid="live-status"
                title="Schedules on this screen update by themselves while this says Live"
              >
                {live === "live" ? "Live" : live === "connecting" ? "Connecting…" : "Offline"}
              </Badge>
            )}
            <Text size="sm" visibleFrom="sm" data-testid="signed-in-as">
              {me.displayName}
            </Text>
            <Button variant="subtle" size="compact-sm" onClick={signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main navigation" component="nav">
        {nav.map((n) => (
          <NavLink
            key={n.to}
            href={n.to}
            label={n.label}
            active={active?.to === n.to}
            aria-current={active?.to === n.to ? "page" : undefined}
            onClick={go(n.to)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}
