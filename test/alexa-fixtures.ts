import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { CERT_URL_HEADER, SIGNATURE_HEADER, SIGNING_CERT_NAME, type CertificateSource } from "../shared/alexa/verify";

/**
 * A certificate authority, certificates and signed Alexa requests made by the tests themselves,
 * with WebCrypto, so request verification is tested offline against every rule.
 */

x509.cryptoProvider.set(crypto);

const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;
const DAY = 86_400_000;

export interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  pem: string;
}

let serial = 1;

/** A self-signed root CA. */
export async function makeRoot(name = "Test Root CA"): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    signingAlgorithm: RSA,
    keys,
    extensions: [new x509.BasicConstraintsExtension(true, 2, true)],
  });
  return { cert, keys, pem: cert.toString("pem") };
}

export interface IssueOptions {
  name: string;
  ca?: boolean;
  /** DNS names; default none. */
  san?: string[];
  notBefore?: Date;
  notAfter?: Date;
}

export async function issue(issuer: Issued, options: IssueOptions): Promise<Issued> {
  const keys = (await crypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true)];
  if (options.san) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(options.san.map((value) => ({ type: "dns" as const, value }))),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, "0"),
    subject: `CN=${options.name}`,
    issuer: issuer.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY),
    notAfter: options.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: RSA,
    publicKey: keys.publicKey,
    signingKey: issuer.keys.privateKey,
    extensions,
  });
  return { cert, keys, pem: cert.toString("pem") };
}

/** Amazon's shape: a root, an intermediate CA, and the signing certificate for echo-api.amazon.com. */
export async function makeAmazonLikePki() {
  const root = await makeRoot();
  const intermediate = await issue(root, { name: "Test Intermediate CA", ca: true });
  const signer = await issue(intermediate, { name: SIGNING_CERT_NAME, san: [SIGNING_CERT_NAME] });
  return { root, intermediate, signer, chain: [signer.pem, intermediate.pem].join("\n") };
}

export const CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem";

/** Serves the chains the test made, by URL, and counts the fetches. */
export function servedChains(chains: Record<string, string>): CertificateSource & { fetches: string[] } {
  const fetches: string[] = [];
  return {
    fetches,
    async chain(url) {
      fetches.push(url);
      const pem = chains[url];
      if (pem === undefined) throw new Error(`no chain at ${url}`);
      return pem;
    },
  };
}

export async function signBody(body: string, key: CryptoKey): Promise<string> {
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(body));
  return btoa(String.fromCharCode(...new Uint8Array(signature)));
}

export const TEST_SKILL_ID = "amzn1.ask.skill.00000000-0000-4000-8000-000000000000";

export interface EnvelopeOptions {
  accessToken?: string;
  player?: { token?: string; offsetInMilliseconds?: number; playerActivity?: string };
  skillId?: string;
  timestamp?: Date;
  requestId?: string;
}

/** An Alexa request envelope as Alexa sends it, with `request` (type and its own fields). */
export function envelope(request: Record<string, unknown> & { type: string }, options: EnvelopeOptions = {}) {
  const applicationId = options.skillId ?? TEST_SKILL_ID;
  return {
    version: "1.0",
    session: { new: true, sessionId: "amzn1.echo-api.session.test", application: { applicationId } },
    context: {
      System: {
        application: { applicationId },
        user: {
          userId: "amzn1.ask.account.TEST",
          ...(options.accessToken ? { accessToken: options.accessToken } : {}),
        },
        device: { deviceId: "amzn1.ask.device.TEST", supportedInterfaces: { AudioPlayer: {} } },
        apiEndpoint: "https://api.amazonalexa.com",
      },
      ...(options.player ? { AudioPlayer: { playerActivity: "PLAYING", ...options.player } } : {}),
    },
    request: {
      requestId: options.requestId ?? `amzn1.echo-api.request.${crypto.randomUUID()}`,
      timestamp: (options.timestamp ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      locale: "en-US",
      ...request,
    },
  };
}

export const intent = (name: string, slots: Record<string, string> = {}) => ({
  type: "IntentRequest",
  intent: {
    name,
    confirmationStatus: "NONE",
    slots: Object.fromEntries(
      Object.entries(slots).map(([k, value]) => [k, { name: k, value, confirmationStatus: "NONE" }]),
    ),
  },
});

/** The headers of a request signed by `key`, with the chain at `certUrl`. */
export async function signedHeaders(body: string, key: CryptoKey, certUrl = CERT_URL): Promise<Headers> {
  return new Headers({
    "content-type": "application/json",
    [CERT_URL_HEADER]: certUrl,
    [SIGNATURE_HEADER]: await signBody(body, key),
  });
}
