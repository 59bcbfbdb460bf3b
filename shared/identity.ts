/**
 * Raw listener ids stay at the edge: everything behind it (D1, KV, queue, session objects, logs)
 * sees only this keyed pseudonym, so a leaked store cannot be joined back to accounts without the key.
 */
const keys = new Map<string, Promise<CryptoKey>>();

function importKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
    ]);
    keys.set(secret, key);
  }
  return key;
}

export async function pseudonymize(secret: string, rawListenerId: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await importKey(secret), new TextEncoder().encode(rawListenerId));
  const hex = Array.from(new Uint8Array(mac, 0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
  return `l_${hex}`;
}
