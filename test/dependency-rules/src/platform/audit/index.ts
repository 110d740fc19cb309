export const auditService = { name: "audit" };
