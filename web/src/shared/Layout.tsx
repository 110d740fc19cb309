import { AppShell, Badge, Burger, Button, Group, NavLink, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { useQueryClient } from "@tanstack/react-query";
import { type MouseEvent, type ReactNode, useEffect } from "react";
import { OfflineBanner } from "../offline/OfflineBanner.js";
import { startOutbox } from "../offline/outbox.js";
import { prefetchForOffline } from "../offline/prefetch.js";
import { offlineState } from "../offline/state.js";
import { openVault, saveRead, wipeVault } from "../offline/vault.js";
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

  // staff and physicians keep their coming days, encrypted, for when the network goes
  const offlineUse = me.role === "location_staff" || me.role === "physician";
  useEffect(() => {
    if (!offlineUse) {
      void wipeVault();
      return;
    }
    void openVault(me.id).then(async (vault) => {
      if (!vault) return;
      // who is signed in comes from the sign-in answer, not a read: keep it for an offline start
      await saveRead("/api/v1/auth/me", me);
      await startOutbox();
      if (navigator.onLine) await prefetchForOffline(me);
    });
  }, [me, offlineUse]);

  async function signOut() {
    const unsent = offlineState.get().changes.length;
    if (
      unsent &&
      !window.confirm(`${unsent} change(s) made offline have not been sent and will be lost. Sign out?`)
    )
      return;
    try {
      await api.post("/api/v1/auth/logout");
    } catch {
      // offline: the session ends on this device all the same
    } finally {
      await wipeVault();
      offlineState.reset();
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
      <AppShell.Main id="main">
        {offlineUse ? <OfflineBanner /> : null}
        {children}
      </AppShell.Main>
    </AppShell>
  );
}
