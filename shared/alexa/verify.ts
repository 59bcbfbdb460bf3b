import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { AlexaRequest } from "./request";

/**
 * Request verification as Amazon requires of every skill endpoint not hosted on AWS Lambda
 * ("Host a custom skill as a web service"): the certificate chain URL, the chain itself, the body's
 * signature, the request's age and the skill it is addressed to. Anyone on the internet can POST to
 * the endpoint, so until all of these pass nothing in the body is believed.
 */

/** The rules, named in the 400 answer so an operator can see which one a request broke. */
export type VerificationRule =
  | "signature-cert-chain-url"
  | "signature-header"
  | "request-body"
  | "timestamp"
  | "application-id"
  | "certificate-chain"
  | "signature";

export interface VerificationFailure {
  rule: VerificationRule;
  /** The header or field the rule is about. */
  path: string;
  detail: string;
}

/** Where the certificate chain (PEM, leaf first) of a verified URL comes from: the network in production. */
export interface CertificateSource {
  chain(url: string): Promise<string>;
}

export interface VerifierOptions {
  /** Self-signed roots a chain must end in (AMAZON_ROOTS in production). */
  trustedRoots: readonly string[];
  certificates: CertificateSource;
}

/** Amazon signs with one certificate at a time (two during a rotation); a few entries suffice. */
const MAX_CACHED_CHAINS = 8;

/**
 * A source that asks `source` once per URL and keeps the answer (the oldest goes beyond a few). A
 * failure is not kept, so the next request tries again; dates are checked on every request anyway.
 */
export function cachedCertificates(source: CertificateSource): CertificateSource {
  const chains = new Map<string, Promise<string>>();
  return {
    chain(url) {
      const cached = chains.get(url);
      if (cached) return cached;
      const fetched = source.chain(url);
      fetched.catch(() => chains.delete(url));
      if (chains.size >= MAX_CACHED_CHAINS) chains.delete(chains.keys().next().value!);
      chains.set(url, fetched);
      return fetched;
    },
  };
}

export const CERT_URL_HEADER = "SignatureCertChainUrl";
export const SIGNATURE_HEADER = "Signature-256";
/** Amazon's limit on a request's age (and, against clock skew, on how far ahead it may be). */
export const MAX_REQUEST_AGE_MS = 150_000;
/** The name Amazon's signing certificate must carry in its subject alternative names. */
export const SIGNING_CERT_NAME = "echo-api.amazon.com";
/** A real chain has three or four certificates; a longer path is not Amazon's. */
const MAX_PATH_LENGTH = 6;
/** The RSA signature of a 2048- or 4096-bit key in base64; anything longer is not a signature. */
const MAX_SIGNATURE_LENGTH = 1024;

x509.cryptoProvider.set(crypto);

const fail = (rule: VerificationRule, path: string, detail: string): VerificationFailure => ({ rule, path, detail });

/**
 * The chain URL after normalising it (WHATWG URL parsing: case of scheme and host, dot segments,
 * percent-encoded dots, backslashes, the default port), or why it is not one Amazon signs with:
 * https, host s3.amazonaws.com, path under /echo.api/ (case-sensitive), port 443 if any.
 */
export function checkCertChainUrl(raw: string | undefined): { url: string } | VerificationFailure {
  const refuse = (why: string) => fail("signature-cert-chain-url", CERT_URL_HEADER, why);
  if (!raw) return refuse(`The ${CERT_URL_HEADER} header is missing`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse(`${CERT_URL_HEADER} is not a URL`);
  }
  if (url.protocol !== "https:") return refuse(`${CERT_URL_HEADER} must use https`);
  if (url.hostname !== "s3.amazonaws.com") return refuse(`${CERT_URL_HEADER} must be on host s3.amazonaws.com`);
  // The parser drops the scheme's default port, so any port left is not 443.
  if (url.port !== "") return refuse(`${CERT_URL_HEADER} must use port 443`);
  if (url.username || url.password) return refuse(`${CERT_URL_HEADER} must not carry credentials`);
  if (!url.pathname.startsWith("/echo.api/")) return refuse(`${CERT_URL_HEADER} must have a path under /echo.api/`);
  // An encoded dot or separator the parser leaves alone could still be read as one by the server.
  if (/%2e|%2f|%5c/i.test(url.pathname)) {
    return refuse(`${CERT_URL_HEADER} must have a path under /echo.api/ without encoded dots or separators`);
  }
  return { url: url.href };
}

function base64Bytes(value: string): Uint8Array | null {
  if (value.length > MAX_SIGNATURE_LENGTH || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return null;
  try {
    return Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  } catch {
    // Of the alphabet but of no length base64 has ("/", "abcde").
    return null;
  }
}

function validAt(cert: x509.X509Certificate, now: number): boolean {
  return cert.notBefore.getTime() <= now && now <= cert.notAfter.getTime();
}

function parseChain(pem: string): x509.X509Certificate[] | null {
  try {
    const certs = x509.PemConverter.decode(pem).map((der) => new x509.X509Certificate(der));
    return certs.length > 0 ? certs : null;
  } catch {
    return null;
  }
}

function isCa(cert: x509.X509Certificate): boolean {
  return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}

async function signedBy(cert: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  if (cert.issuer !== issuer.subject) return false;
  try {
    return await cert.verify({ publicKey: issuer, signatureOnly: true });
  } catch {
    return false;
  }
}

/**
 * Checks the chain Amazon serves: every certificate on the path valid now, the leaf naming
 * echo-api.amazon.com, and each one signed by the next (a CA) up to a trusted root. The path stops
 * at the first certificate a trusted root signed, so a chain that also carries a cross-signed copy
 * of the root (Amazon's does) is judged by the root itself.
 */
async function checkChain(
  certs: x509.X509Certificate[],
  roots: readonly x509.X509Certificate[],
  now: number,
): Promise<x509.X509Certificate | VerificationFailure> {
  const refuse = (why: string) => fail("certificate-chain", CERT_URL_HEADER, why);
  const leaf = certs[0]!;
  const names = leaf.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  if (!names.some((n) => n.type === "dns" && n.value.toLowerCase() === SIGNING_CERT_NAME)) {
    return refuse(`The signing certificate does not name ${SIGNING_CERT_NAME} among its subject alternative names`);
  }
  let current = leaf;
  for (let depth = 0; depth < MAX_PATH_LENGTH; depth++) {
    if (!validAt(current, now)) return refuse(`The certificate ${current.subject} is expired or not yet valid`);
    for (const root of roots) {
      if (await signedBy(current, root)) {
        if (!validAt(root, now)) return refuse(`The trusted root ${root.subject} is expired`);
        return leaf;
      }
    }
    let issuer: x509.X509Certificate | undefined;
    for (const candidate of certs) {
      if (candidate !== current && isCa(candidate) && (await signedBy(current, candidate))) issuer = candidate;
    }
    if (!issuer) return refuse(`The certificate ${current.subject} does not chain to a trusted root`);
    current = issuer;
  }
  return refuse("The certificate chain is too long");
}

export interface Verifier {
  /**
   * The parsed request, or the first rule it breaks; `skillId` is the skill's application id
   * (ALEXA_SKILL_ID): requests for other skills are refused.
   */
  verify(
    headers: Headers,
    rawBody: string,
    skillId: string,
    now?: number,
  ): Promise<{ request: AlexaRequest } | VerificationFailure>;
}

export function createVerifier(options: VerifierOptions): Verifier {
  const roots = options.trustedRoots.map((pem) => new x509.X509Certificate(pem));
  return {
    async verify(headers, rawBody, skillId, now = Date.now()) {
      const certUrl = checkCertChainUrl(headers.get(CERT_URL_HEADER) ?? undefined);
      if ("rule" in certUrl) return certUrl;
      const header = headers.get(SIGNATURE_HEADER);
      const signature = header ? base64Bytes(header.trim()) : null;
      if (!signature) {
        return fail("signature-header", SIGNATURE_HEADER, `The ${SIGNATURE_HEADER} header is missing or not base64`);
      }

      // The cheap checks come before the certificate is fetched, so junk costs no fetch.
      let json: unknown;
      try {
        json = JSON.parse(rawBody);
      } catch {
        return fail("request-body", "(root)", "The body is not JSON");
      }
      const parsed = AlexaRequest.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        const path = issue.path.map(String).join(".") || "(root)";
        return fail("request-body", path, `The body is not an Alexa request: ${path} ${issue.message}`);
      }
      const request = parsed.data;
      const sentAt = Date.parse(request.request.timestamp);
      if (!(Math.abs(now - sentAt) <= MAX_REQUEST_AGE_MS)) {
        return fail("timestamp", "request.timestamp", `The request is more than ${MAX_REQUEST_AGE_MS / 1000} s old`);
      }
      const applicationId = request.context.System.application.applicationId;
      if (applicationId !== skillId) {
        return fail("application-id", "context.System.application.applicationId", "The request is for another skill");
      }

      let pem: string;
      try {
        pem = await options.certificates.chain(certUrl.url);
      } catch (error) {
        return fail(
          "certificate-chain",
          CERT_URL_HEADER,
          `The certificate chain could not be fetched: ${String(error)}`,
        );
      }
      const certs = parseChain(pem);
      if (!certs) return fail("certificate-chain", CERT_URL_HEADER, "The certificate chain is not PEM certificates");
      // A malformed extension is parsed only when read, so reading one may throw.
      const leaf = await checkChain(certs, roots, now).catch((error: unknown): VerificationFailure =>
        fail("certificate-chain", CERT_URL_HEADER, `The certificate chain cannot be read: ${String(error)}`),
      );
      if ("rule" in leaf) return leaf;

      const key = await leaf.publicKey
        .export({ name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, ["verify"])
        .catch(() => null);
      const body = new TextEncoder().encode(rawBody);
      const valid = key
        ? await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, body).catch(() => false)
        : false;
      if (!valid)
        return fail(
          "signature",
          SIGNATURE_HEADER,
          `${SIGNATURE_HEADER} is not a signature of the body by the certificate`,
        );
      return { request };
    },
  };
}
