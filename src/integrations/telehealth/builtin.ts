/**
 * The built-in telehealth provider: each visit gets a link of its own under the app's public
 * address, `<ROUNDS_PUBLIC_URL>/visit/<token>`, where the token is 256 random bits (base64url). The
 * page behind it says which visit it is and when the room opens; the video itself is a real
 * provider's job.
 */
import { randomBytes } from "node:crypto";
import type { IssuedLink, TelehealthProvider } from "./provider.js";

/** 32 random bytes: 43 base64url characters. */
export const TOKEN_BYTES = 32;

/** The page of one visit under the app's public address (a trailing slash or not). */
export const visitPageUrl = (publicUrl: string, token: string): string =>
  `${publicUrl.replace(/\/+$/, "")}/visit/${token}`;

export function builtInProvider(publicUrl: string): TelehealthProvider {
  return {
    name: "builtin",
    async issue(): Promise<IssuedLink> {
      const token = randomBytes(TOKEN_BYTES).toString("base64url");
      return { token, joinUrl: visitPageUrl(publicUrl, token) };
    },
    // the page reads the revocation from the link's row: there is no room to close
    async revoke(): Promise<void> {},
  };
}
