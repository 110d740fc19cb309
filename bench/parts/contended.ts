/** One option, `clients` clients booking it at once: exactly one may win. */
export async function contendedOption(
  url: string,
  headers: Record<string, string>,
  option: string,
  patients: string[],
  clients: number,
) {
  const statuses = await Promise.all(
    Array.from({ length: clients }, (_, i) =>
      fetch(`${url}/api/v1/appointments`, {
        method: "POST",
        headers,
        body: JSON.stringify({ optionId: option, patientId: patients[patients.length - 1 - i] }),
      }).then((r) => r.status),
    ),
  );
  return {
    clients,
    created: statuses.filter((c) => c === 201).length,
    conflicts: statuses.filter((c) => c === 409).length,
    other: statuses.filter((c) => c !== 201 && c !== 409),
  };
}
