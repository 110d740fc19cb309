/**
 * Client-side routing on the History API: links change the address and the screen without a
 * full page load; the server answers every non-API path with the app, so any address can be typed.
 */
import { Anchor, type AnchorProps, Button, type ButtonProps } from "@mantine/core";
import { type MouseEvent, type ReactNode, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== "undefined") window.addEventListener("popstate", notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === currentPath()) return;
  if (opts.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.scrollTo(0, 0);
  notify();
}

const currentPath = () => window.location.pathname + window.location.search;

/** The current path and query string, re-rendering on every navigation. */
export function useLocation(): { pathname: string; search: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, currentPath);
  const [pathname = "/", search = ""] = href.split("?");
  return { pathname, search: new URLSearchParams(search), href };
}

/** `/patient/appointments/:id` against a path: the named parts, or null when it does not match. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const p = pattern.split("/").filter(Boolean);
  const a = pathname.split("/").filter(Boolean);
  if (p.length !== a.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    const actual = a[i]!;
    if (seg.startsWith(":")) params[seg.slice(1)] = decodeURIComponent(actual);
    else if (seg !== actual) return null;
  }
  return params;
}

export interface Route {
  path: string;
  render: (params: Record<string, string>) => ReactNode;
}

/** Renders the first route matching the current path, or `fallback`. */
export function Routes({ routes, fallback }: { routes: Route[]; fallback: ReactNode }) {
  const { pathname } = useLocation();
  for (const r of routes) {
    const params = matchPath(r.path, pathname);
    if (params) return <>{r.render(params)}</>;
  }
  return <>{fallback}</>;
}

function onLinkClick(to: string) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    // let the browser handle new-tab and modified clicks
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
}

export function Link({ to, children, ...props }: AnchorProps & { to: string; children: ReactNode }) {
  return (
    <Anchor href={to} onClick={onLinkClick(to)} {...props}>
      {children}
    </Anchor>
  );
}

export function ButtonLink({ to, children, ...props }: ButtonProps & { to: string; children: ReactNode }) {
  return (
    <Button component="a" href={to} onClick={onLinkClick(to)} {...props}>
      {children}
    </Button>
  );
}
