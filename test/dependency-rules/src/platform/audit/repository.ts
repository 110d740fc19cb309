export type AuditTables = { audit_events: { id: string } };
