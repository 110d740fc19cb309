export type PatientTables = { patients: { id: string } };
