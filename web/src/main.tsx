import "@mantine/core/styles.css";
import "@mantine/dates/styles.css";
import "@mantine/notifications/styles.css";
import "./shared/app.css";
import { MantineProvider } from "@mantine/core";
import { DatesProvider } from "@mantine/dates";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { flushChanges, whenChangeApplied } from "./offline/outbox.js";
import { offlineState } from "./offline/state.js";
import { ApiError, whenUnauthenticated } from "./shared/api.js";
import { cssVariablesResolver, theme } from "./theme.js";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // a 404 or 403 will not change by asking again
      retry: (count, err) => !(err instanceof ApiError && err.status >= 400 && err.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});
whenUnauthenticated(() => queryClient.setQueryData(["me"], null));
// a change sent (now or from the offline queue) refreshes the screens that show its appointment
whenChangeApplied((a) => {
  queryClient.setQueryData(["appointment", a.id], a);
  void queryClient.invalidateQueries({ queryKey: ["appointments"] });
  void queryClient.invalidateQueries({ queryKey: ["schedule"] });
});
// the network is back (the browser says so, or a request got through): send what waits
window.addEventListener("online", () => void flushChanges());
let wasOffline = false;
offlineState.subscribe(() => {
  const { offline } = offlineState.get();
  if (wasOffline && !offline) void flushChanges();
  wasOffline = offline;
});
// the installable app's worker (web/vite.config.ts) keeps the app shell for offline starts
if (import.meta.env.PROD && "serviceWorker" in navigator)
  window.addEventListener(
    "load",
    () => void navigator.serviceWorker.register("/sw.js").catch(() => undefined),
  );

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
      <DatesProvider settings={{ firstDayOfWeek: 1 }}>
        <QueryClientProvider client={queryClient}>
          <Notifications position="top-right" />
          <App />
        </QueryClientProvider>
      </DatesProvider>
    </MantineProvider>
  </StrictMode>,
);
