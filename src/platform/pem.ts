/** PEM files named by the configuration (certificates, keys, CAs), read once where they are used. */
import { readFileSync } from "node:fs";
import { ConfigError } from "./config.js";

/** The file's text; a file that cannot be read is a ConfigError naming the variable (not a stack trace). */
export function readPem(variable: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(
      variable,
      `names a file that cannot be read (${(err as NodeJS.ErrnoException).code})`,
    );
  }
  if (!text.includes("-----BEGIN ")) throw new ConfigError(variable, "names a file that is not PEM");
  return text;
}
