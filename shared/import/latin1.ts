/**
 * ISO-8859-1 bytes to a string. Every byte is the code point of the same value, so this needs no decoder
 * tables (TextDecoder's "latin1" label means windows-1252 in the WHATWG Encoding standard, which differs in 0x80-0x9F).
 */
export function decodeLatin1(bytes: Uint8Array): string {
  const chunk = 0x8000;
  let text = "";
  for (let start = 0; start < bytes.length; start += chunk) {
    text += String.fromCharCode(...bytes.subarray(start, start + chunk));
  }
  return text;
}
