/**
 * The demo's security incidents, so the officers' Security incidents screen has something to
 * show on first start: password spraying from an outside address (resolved, blocked at the
 * firewall), a burst of refused accesses by the northern satellite's desk (the account was
 * locked, unlocked by the administrator, resolved as contained) and an open one: the main campus
 * desk using break-the-glass more often than usual yesterday. No demo account is left locked.
 */
import { sql } from "kysely";
import type { Executor } from "../platform/db.js";
import { DEMO_EMAIL_DOMAIN } from "./users.js";

const HOUR = 3_600_000;
type Entry = [kind: string, hoursAfterOpening: number, actor: string | null, detail: Record<string, unknown>];

async function incident(
  db: Executor,
  row: {
    kind: string;
    severity: string;
    subjectKind: string;
    subject: string;
    accountId: string | null;
    openedAt: Date;
    resolved: { outcome: string; by: string; hoursAfter: number } | null;
    acknowledged: { by: string; hoursAfter: number } | null;
  },
  timeline: Entry[],
): Promise<void> {
  const at = (h: number) => new Date(row.openedAt.getTime() + h * HOUR);
  const id = (
    await sql<{ id: string }>`
      INSERT INTO incidents (kind, severity, subject_kind, subject, account_id, status, opened_at, last_signal_at,
        signals, acknowledged_at, acknowledged_by, resolved_at, resolved_by, outcome)
      VALUES (${row.kind}, ${row.severity}, ${row.subjectKind}, ${row.subject}, ${row.accountId},
        ${row.resolved ? "resolved" : row.acknowledged ? "acknowledged" : "open"}, ${row.openedAt}, ${row.openedAt}, 1,
        ${row.acknowledged ? at(row.acknowledged.hoursAfter) : null}, ${row.acknowledged?.by ?? null},
        ${row.resolved ? at(row.resolved.hoursAfter) : null}, ${row.resolved?.by ?? null}, ${row.resolved?.outcome ?? null})
      RETURNING id`.execute(db)
  ).rows[0]!.id;
  for (const [kind, h, actor, detail] of timeline)
    await sql`INSERT INTO incident_events (incident_id, at, kind, actor_id, detail)
      VALUES (${id}, ${at(h)}, ${kind}, ${actor}, ${JSON.stringify(detail)}::jsonb)`.execute(db);
}

export async function seedDemoIncidents(db: Executor, opts: { today: string }): Promise<number> {
  const ids = new Map(
    (
      await sql<{ id: string; email: string }>`
        SELECT id, email FROM users WHERE email IN (${sql.join(
          ["admin", "compliance", "staff.main", "staff.north"].map((u) => `${u}@${DEMO_EMAIL_DOMAIN}`),
        )})`.execute(db)
    ).rows.map((r) => [r.email.split("@")[0]!, r.id]),
  );
  const admin = ids.get("admin");
  const officer = ids.get("compliance");
  const desk = ids.get("staff.main");
  const north = ids.get("staff.north");
  if (!admin || !officer || !desk || !north) return 0;
  const day0 = Date.parse(`${opts.today}T00:00:00Z`);
  const signal = (count: number, severity: string, first: Date, minutes: number) => ({
    count,
    severity,
    first: first.toISOString(),
    last: new Date(first.getTime() + minutes * 60_000).toISOString(),
  });

  const sprayAt = new Date(day0 - 3 * 24 * HOUR + 2 * HOUR);
  await incident(
    db,
    {
      kind: "sign_in_spraying",
      severity: "high",
      subjectKind: "address",
      subject: "198.51.100.23",
      accountId: null,
      openedAt: sprayAt,
      acknowledged: { by: officer, hoursAfter: 1 },
      resolved: { outcome: "confirmed", by: officer, hoursAfter: 5 },
    },
    [
      ["signal", 0, null, signal(14, "high", new Date(sprayAt.getTime() - 9 * 60_000), 9)],
      ["alert_sent", 0, null, { recipients: 2, messages: 4 }],
      ["acknowledged", 1, officer, { note: "Checking the sign-in log for successes from this address" }],
      [
        "note",
        2,
        officer,
        { note: "No successful sign-in from 198.51.100.23; audit export kept as evidence" },
      ],
      [
        "resolved",
        5,
        officer,
        { outcome: "confirmed", note: "Address blocked at the firewall; IT security told" },
      ],
    ],
  );

  const burstAt = new Date(day0 - 6 * 24 * HOUR + 15 * HOUR);
  await incident(
    db,
    {
      kind: "refused_burst",
      severity: "high",
      subjectKind: "account",
      subject: north,
      accountId: north,
      openedAt: burstAt,
      acknowledged: { by: officer, hoursAfter: 0.5 },
      resolved: { outcome: "contained", by: officer, hoursAfter: 26 },
    },
    [
      ["signal", 0, null, signal(23, "high", new Date(burstAt.getTime() - 12 * 60_000), 12)],
      ["alert_sent", 0, null, { recipients: 2, messages: 4 }],
      ["account_locked", 0, null, { accountId: north, automatic: true, severity: "high" }],
      ["acknowledged", 0.5, officer, { note: "Calling the northern satellite's manager" }],
      ["note", 3, officer, { note: "A new desk clerk searched patients of the main campus by mistake" }],
      [
        "account_unlocked",
        24,
        admin,
        { accountId: north, note: "Clerk retrained on scope; password changed" },
      ],
      ["resolved", 26, officer, { outcome: "contained", note: "No record was read; refusals only" }],
    ],
  );

  const glassAt = new Date(day0 - 24 * HOUR + 16 * HOUR);
  await incident(
    db,
    {
      kind: "break_glass_unusual",
      severity: "medium",
      subjectKind: "account",
      subject: desk,
      accountId: desk,
      openedAt: glassAt,
      acknowledged: null,
      resolved: null,
    },
    [
      ["signal", 0, null, signal(4, "medium", new Date(glassAt.getTime() - 7 * HOUR), 7 * 60)],
      ["alert_sent", 0, null, { recipients: 2, messages: 4 }],
    ],
  );
  return 3;
}
