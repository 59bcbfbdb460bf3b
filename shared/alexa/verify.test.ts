import { beforeAll, describe, expect, it } from "vitest";
import {
  CERT_URL,
  envelope,
  intent,
  issue,
  makeAmazonLikePki,
  makeRoot,
  servedChains,
  signedHeaders,
  TEST_SKILL_ID,
  type Issued,
} from "../../test/alexa-fixtures";
import {
  cachedCertificates,
  CERT_URL_HEADER,
  checkCertChainUrl,
  createVerifier,
  SIGNATURE_HEADER,
  SIGNING_CERT_NAME,
  type VerificationRule,
} from "./verify";

describe("the certificate chain URL", () => {
  it.each([
    "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
  ])("accepts %s", (url) => {
    expect(checkCertChainUrl(url)).toEqual({ url: "https://s3.amazonaws.com/echo.api/echo-api-cert.pem" });
  });

  it.each([
    ["http://s3.amazonaws.com/echo.api/echo-api-cert.pem", /https/],
    ["https://notamazon.com/echo.api/echo-api-cert.pem", /host/],
    ["https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem", /host/],
    ["https://evil.com/s3.amazonaws.com/echo.api/echo-api-cert.pem", /host/],
    ["https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", /path/],
    ["https://s3.amazonaws.com/invalid.path/echo-api-cert.pem", /path/],
    ["https://s3.amazonaws.com/echo.api", /path/],
    ["https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem", /path/],
    ["https://s3.amazonaws.com/echo.api/%2e%2e/invalid.path/cert.pem", /path/],
    ["https://s3.amazonaws.com/echo.api/..%2finvalid.path/cert.pem", /path/],
    ["https://s3.amazonaws.com:8443/echo.api/echo-api-cert.pem", /port 443/],
    ["https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", /port 443/],
    ["https://user:pass@s3.amazonaws.com/echo.api/echo-api-cert.pem", /credentials/],
    ["s3.amazonaws.com/echo.api/echo-api-cert.pem", /not a URL/],
    [undefined, /missing/],
  ])("refuses %s", (url, why) => {
    const checked = checkCertChainUrl(url);
    expect(checked).toMatchObject({ rule: "signature-cert-chain-url", path: CERT_URL_HEADER });
    expect("detail" in checked && checked.detail).toMatch(why);
  });
});

describe("request verification", () => {
  let pki: Awaited<ReturnType<typeof makeAmazonLikePki>>;
  let stranger: Issued;
  beforeAll(async () => {
    pki = await makeAmazonLikePki();
    stranger = await makeRoot("Someone Else's Root");
  });

  const body = (options: Parameters<typeof envelope>[1] = {}) =>
    JSON.stringify(envelope(intent("PlayDiscoverWeeklyIntent"), options));

  /** Verifies a request signed with `key`, whose chain URL serves `chain`. */
  async function verify(
    options: { chain?: string; key?: CryptoKey; raw?: string; signed?: string; headers?: (h: Headers) => void } = {},
  ) {
    const raw = options.raw ?? body();
    const headers = await signedHeaders(options.signed ?? raw, options.key ?? pki.signer.keys.privateKey);
    options.headers?.(headers);
    const verifier = createVerifier({
      trustedRoots: [pki.root.pem],
      certificates: servedChains({ [CERT_URL]: options.chain ?? pki.chain }),
    });
    return verifier.verify(headers, raw, TEST_SKILL_ID);
  }

  const refusedFor = async (rule: VerificationRule, result: Promise<unknown>, detail?: RegExp) => {
    const got = (await result) as { rule?: string; detail?: string };
    expect(got, JSON.stringify(got)).toMatchObject({ rule });
    if (detail) expect(got.detail).toMatch(detail);
  };

  it("passes a request signed by a certificate for echo-api.amazon.com that chains to a trusted root", async () => {
    const result = await verify();
    expect(result).toMatchObject({ request: { request: { type: "IntentRequest" } } });
  });

  it("passes a chain that also carries a cross-signed copy of the root", async () => {
    const crossSigned = await issue(stranger, { name: "Test Root CA", ca: true });
    expect(await verify({ chain: [pki.chain, crossSigned.pem].join("\n") })).toHaveProperty("request");
  });

  it("refuses a bad chain URL before fetching anything", async () => {
    await refusedFor(
      "signature-cert-chain-url",
      verify({ headers: (h) => h.set(CERT_URL_HEADER, "https://s3.amazonaws.com:8443/echo.api/cert.pem") }),
    );
    await refusedFor(
      "signature-cert-chain-url",
      verify({ headers: (h) => h.set(CERT_URL_HEADER, "http://s3.amazonaws.com/echo.api/cert.pem") }),
    );
  });

  it("refuses an expired signing certificate, and one not yet valid", async () => {
    const expired = await issue(pki.intermediate, {
      name: SIGNING_CERT_NAME,
      san: [SIGNING_CERT_NAME],
      notBefore: new Date(Date.now() - 20 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const chain = [expired.pem, pki.intermediate.pem].join("\n");
    await refusedFor("certificate-chain", verify({ chain, key: expired.keys.privateKey }), /expired/);
    const early = await issue(pki.intermediate, {
      name: SIGNING_CERT_NAME,
      san: [SIGNING_CERT_NAME],
      notBefore: new Date(Date.now() + 86_400_000),
    });
    const later = [early.pem, pki.intermediate.pem].join("\n");
    await refusedFor("certificate-chain", verify({ chain: later, key: early.keys.privateKey }), /not yet valid/);
  });

  it("refuses an expired intermediate", async () => {
    const old = await issue(pki.root, {
      name: "Old Intermediate",
      ca: true,
      notBefore: new Date(Date.now() - 20 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    const signer = await issue(old, { name: SIGNING_CERT_NAME, san: [SIGNING_CERT_NAME] });
    const chain = [signer.pem, old.pem].join("\n");
    await refusedFor("certificate-chain", verify({ chain, key: signer.keys.privateKey }), /Old Intermediate.*expired/);
  });

  it("refuses a certificate without echo-api.amazon.com among its subject alternative names", async () => {
    for (const san of [undefined, ["echo-api.amazon.com.evil.com", "evil.com"]]) {
      const signer = await issue(pki.intermediate, { name: SIGNING_CERT_NAME, san });
      const chain = [signer.pem, pki.intermediate.pem].join("\n");
      await refusedFor("certificate-chain", verify({ chain, key: signer.keys.privateKey }), /subject alternative/);
    }
  });

  it("refuses a chain that does not lead to a trusted root", async () => {
    const theirs = await issue(stranger, { name: "Test Intermediate CA", ca: true });
    const signer = await issue(theirs, { name: SIGNING_CERT_NAME, san: [SIGNING_CERT_NAME] });
    const chain = [signer.pem, theirs.pem].join("\n");
    await refusedFor("certificate-chain", verify({ chain, key: signer.keys.privateKey }), /trusted root/);
    // The signing certificate alone, its intermediate left out.
    await refusedFor("certificate-chain", verify({ chain: pki.signer.pem }), /trusted root/);
    // An intermediate that is no CA cannot issue.
    const notCa = await issue(pki.root, { name: "Not A CA" });
    const underIt = await issue(notCa, { name: SIGNING_CERT_NAME, san: [SIGNING_CERT_NAME] });
    const bad = [underIt.pem, notCa.pem].join("\n");
    await refusedFor("certificate-chain", verify({ chain: bad, key: underIt.keys.privateKey }), /trusted root/);
  });

  it("refuses a chain that is no certificates, or cannot be fetched", async () => {
    await refusedFor("certificate-chain", verify({ chain: "not a certificate" }), /not PEM/);
    const headers = await signedHeaders(body(), pki.signer.keys.privateKey);
    const nothing = createVerifier({ trustedRoots: [pki.root.pem], certificates: servedChains({}) });
    await refusedFor("certificate-chain", nothing.verify(headers, body(), TEST_SKILL_ID), /could not be fetched/);
  });

  it("refuses a signature by another key, a missing or malformed one, and a body changed after signing", async () => {
    await refusedFor("signature", verify({ key: stranger.keys.privateKey }));
    const raw = body();
    await refusedFor(
      "signature",
      verify({ raw: raw.replace("PlayDiscoverWeeklyIntent", "PlayReleaseRadarIntent"), signed: raw }),
    );
    await refusedFor("signature", verify({ raw: `${raw} `, signed: raw }));
    await refusedFor("signature-header", verify({ headers: (h) => h.delete(SIGNATURE_HEADER) }));
    await refusedFor("signature-header", verify({ headers: (h) => h.set(SIGNATURE_HEADER, "not*base64") }));
    // Of the base64 alphabet but of no valid length (found by the fuzzer: atob threw).
    for (const value of ["/", "abcde"]) {
      await refusedFor("signature-header", verify({ headers: (h) => h.set(SIGNATURE_HEADER, value) }));
    }
  });

  it("refuses a request older than 150 s, or as far ahead", async () => {
    const at = (offsetMs: number) => body({ timestamp: new Date(Date.now() + offsetMs) });
    expect(await verify({ raw: at(-140_000) })).toHaveProperty("request");
    await refusedFor("timestamp", verify({ raw: at(-151_000) }), /150 s/);
    await refusedFor("timestamp", verify({ raw: at(151_000) }));
  });

  it("refuses a request for another skill", async () => {
    await refusedFor("application-id", verify({ raw: body({ skillId: "amzn1.ask.skill.someone-else" }) }));
  });

  it("refuses a body that is not an Alexa request", async () => {
    await refusedFor("request-body", verify({ raw: "{" }));
    await refusedFor("request-body", verify({ raw: JSON.stringify({ version: "1.0" }) }), /context/);
  });
});

describe("the certificate cache", () => {
  it("fetches a chain once per URL, and again after a failure", async () => {
    let fail = true;
    const fetches: string[] = [];
    const cached = cachedCertificates({
      async chain(url) {
        fetches.push(url);
        if (fail) throw new Error("offline");
        return "pem";
      },
    });
    await expect(cached.chain("a")).rejects.toThrow("offline");
    fail = false;
    expect(await cached.chain("a")).toBe("pem");
    expect(await cached.chain("a")).toBe("pem");
    expect(await cached.chain("b")).toBe("pem");
    expect(fetches).toEqual(["a", "a", "b"]);
  });
});
