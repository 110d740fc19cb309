export async function seedNetwork(_db: unknown, _o: { scale: string; seed: number }) {
  return {};
}
