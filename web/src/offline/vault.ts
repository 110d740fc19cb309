/**
 * The browser's encrypted store for offline use (IndexedDB through idb): what the signed-in
 * person read (their day, their schedule, appointments they opened) and the changes they made
 * while offline. Every value is sealed with AES-GCM under a key that WebCrypto made
 * non-extractable: it is created at sign-in, can be used by this origin's scripts but never read
 * out, and is deleted with the data at sign-out. Reads older than MAX_AGE are dropped.
 */
import { type DBSchema, deleteDB, type IDBPDatabase, openDB } from "idb";

const NAME = "rounds-offline";
/** Saved reads older than this are dropped: an old day is worse than none. */
export const MAX_AGE_MS = 72 * 3_600_000;

interface Sealed {
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}
interface VaultSchema extends DBSchema {
  keys: { key: string; value: { id: string; userId: string; key: CryptoKey } };
  reads: { key: string; value: Sealed & { url: string; savedAt: number } };
  outbox: { key: string; value: Sealed & { id: string; createdAt: number } };
}

interface Open {
  db: IDBPDatabase<VaultSchema>;
  key: CryptoKey;
  userId: string;
}
let opened: Promise<Open | null> | null = null;

/** Whether this browser can keep data encrypted (WebCrypto needs a secure context: HTTPS or localhost). */
export const vaultSupported = (): boolean =>
  typeof indexedDB !== "undefined" &&
  typeof crypto !== "undefined" &&
  !!crypto.subtle &&
  window.isSecureContext;

const database = () =>
  openDB<VaultSchema>(NAME, 1, {
    upgrade(db) {
      db.createObjectStore("keys", { keyPath: "id" });
      db.createObjectStore("reads", { keyPath: "url" });
      db.createObjectStore("outbox", { keyPath: "id" });
    },
  });

/** The vault left by the last sign-in, if any: a reload without a network reads through it. */
async function existingVault(): Promise<Open | null> {
  if (!vaultSupported()) return null;
  const db = await database();
  const found = await db.get("keys", "vault");
  if (found) return { db, key: found.key, userId: found.userId };
  db.close();
  return null;
}

/**
 * Opens the vault of the signed-in user, making its key on first use; another user's vault is
 * deleted first (one browser, one person's data). Null when the browser cannot keep it safely.
 */
export function openVault(userId: string): Promise<Open | null> {
  const before = opened ?? existingVault().catch(() => null);
  opened = (async () => {
    const v = await before;
    if (v?.userId === userId) return v;
    if (!vaultSupported()) return null;
    v?.db.close();
    if (v) await deleteDB(NAME);
    const db = await database();
    const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
    await db.put("keys", { id: "vault", userId, key });
    return { db, key, userId };
  })().catch(() => null);
  return opened;
}

const current = (): Promise<Open | null> => {
  opened ??= existingVault().catch(() => null);
  return opened;
};

async function seal(key: CryptoKey, value: unknown): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    key,
    new TextEncoder().encode(JSON.stringify(value)),
  );
  return { iv, data };
}
async function unseal<T>(key: CryptoKey, sealed: Sealed): Promise<T> {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv }, key, sealed.data);
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

/** Keeps an answer the person read, for when the network is gone. */
export async function saveRead(url: string, value: unknown): Promise<void> {
  const v = await current();
  if (!v) return;
  await v.db.put("reads", { url, savedAt: Date.now(), ...(await seal(v.key, value)) });
}

/** A saved answer younger than MAX_AGE, with when it was saved. */
export async function savedRead<T>(url: string): Promise<{ value: T; savedAt: number } | undefined> {
  const v = await current();
  if (!v) return undefined;
  const row = await v.db.get("reads", url);
  if (!row || Date.now() - row.savedAt > MAX_AGE_MS) return undefined;
  return { value: await unseal<T>(v.key, row), savedAt: row.savedAt };
}

/** Drops saved reads past their age. */
export async function pruneReads(): Promise<void> {
  const v = await current();
  if (!v) return;
  const tx = v.db.transaction("reads", "readwrite");
  for await (const cursor of tx.store)
    if (Date.now() - cursor.value.savedAt > MAX_AGE_MS) await cursor.delete();
  await tx.done;
}

export async function putQueued<T extends { id: string; createdAt: number }>(item: T): Promise<boolean> {
  const v = await current();
  if (!v) return false;
  await v.db.put("outbox", { id: item.id, createdAt: item.createdAt, ...(await seal(v.key, item)) });
  return true;
}
export async function queued<T>(): Promise<T[]> {
  const v = await current();
  if (!v) return [];
  const rows = (await v.db.getAll("outbox")).sort((a, b) => a.createdAt - b.createdAt);
  return Promise.all(rows.map((r) => unseal<T>(v.key, r)));
}
export async function removeQueued(id: string): Promise<void> {
  const v = await current();
  if (v) await v.db.delete("outbox", id);
}

/** Sign-out: the key and everything sealed with it are deleted. */
export async function wipeVault(): Promise<void> {
  const v = await current();
  opened = null;
  v?.db.close();
  await deleteDB(NAME).catch(() => undefined);
}
