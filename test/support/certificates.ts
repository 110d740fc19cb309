/**
 * A test certificate authority made with openssl in a temporary directory: the CA's certificate,
 * and server or client certificates it signs (RSA 2048, a day long). Servers get the SANs they are
 * reached by; clients get a subject DN (and a SAN if asked) for mutual TLS.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Issued {
  /** Paths of the PEM files (for configuration variables). */
  certFile: string;
  keyFile: string;
  /** Their contents (for in-process peers). */
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  caFile: string;
  ca: string;
  /** A server certificate for these DNS names and IP addresses. */
  server(name: string, sans?: { dns?: string[]; ip?: string[] }): Promise<Issued>;
  /** A client certificate with this subject (e.g. `/O=Radiology/CN=pacs-gateway`). */
  client(name: string, subject: string): Promise<Issued>;
  remove(): void;
}

const openssl = (args: string[], cwd: string) => run("openssl", args, { cwd });

/** A new CA under `dir` (a new temporary directory unless given), named by `cn`. */
export async function makeCa(cn: string, dir = mkdtempSync(join(tmpdir(), "rounds-ca-"))): Promise<TestCa> {
  mkdirSync(dir, { recursive: true });
  const caKey = join(dir, `${cn.replaceAll(" ", "-")}.key`);
  const caFile = join(dir, `${cn.replaceAll(" ", "-")}.crt`);
  await openssl(["genrsa", "-out", caKey, "2048"], dir);
  await openssl(
    [
      ...["req", "-x509", "-new", "-key", caKey, "-sha256", "-days", "2", "-subj", `/CN=${cn}`],
      ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
      ...["-out", caFile],
    ],
    dir,
  );
  const issue = async (name: string, subject: string, extensions: string[]): Promise<Issued> => {
    const keyFile = join(dir, `${name}.key`);
    const certFile = join(dir, `${name}.crt`);
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    writeFileSync(ext, `${extensions.join("\n")}\n`);
    await openssl(["genrsa", "-out", keyFile, "2048"], dir);
    await openssl(["req", "-new", "-key", keyFile, "-subj", subject, "-out", csr], dir);
    await openssl(
      [
        ...["x509", "-req", "-in", csr, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial"],
        ...["-days", "1", "-sha256", "-extfile", ext, "-out", certFile],
      ],
      dir,
    );
    return { certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
  };
  return {
    dir,
    caFile,
    ca: readFileSync(caFile, "utf8"),
    server: (name, sans = { dns: ["localhost"], ip: ["127.0.0.1"] }) =>
      issue(name, `/CN=${sans.dns?.[0] ?? name}`, [
        "basicConstraints=CA:FALSE",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${[...(sans.dns ?? []).map((d) => `DNS:${d}`), ...(sans.ip ?? []).map((i) => `IP:${i}`)].join(",")}`,
      ]),
    client: (name, subject) =>
      issue(name, subject, ["basicConstraints=CA:FALSE", "extendedKeyUsage=clientAuth"]),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
