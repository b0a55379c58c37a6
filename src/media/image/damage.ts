/**
 * Says in plain words what is wrong with image bytes a decoder refused, where the file's structure shows it.
 * A file cut short is the usual case, and libvips reports it only as "libpng read error", "corrupt header:"
 * or "(Unknown error)": the end marker every PNG, JPEG and GIF closes with tells it apart, and WebP's header
 * states its length.
 */
export function describeDamage(bytes: Uint8Array): string | undefined {
  const n = bytes.byteLength;
  const starts = (...sig: number[]) => sig.every((v, i) => bytes[i] === v);
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  const cut = (format: string, marker: string) =>
    `it is cut short (truncated): a ${format} ends with ${marker}, and this one stops after ${n} bytes`;
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) {
    if (n < 33) return `it is cut short (truncated) inside the PNG header, after ${n} bytes`;
    return ascii(n - 8, n - 4) === 'IEND' ? undefined : cut('PNG', 'an IEND chunk');
  }
  if (starts(0xff, 0xd8, 0xff)) {
    // Cameras may pad after the end-of-image marker: look for it near the end, not only at the last two bytes.
    const tail = bytes.subarray(Math.max(0, n - 4096));
    for (let i = tail.length - 2; i >= 0; i -= 1) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return undefined;
    return cut('JPEG', 'an end-of-image marker (FF D9)');
  }
  if (starts(0x47, 0x49, 0x46, 0x38)) return bytes[n - 1] === 0x3b ? undefined : cut('GIF', 'a trailer byte (3B)');
  if (n >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') {
    const declared = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0;
    return declared + 8 > n ? `it is cut short (truncated): its header says ${declared + 8} bytes, the file has ${n}` : undefined;
  }
  return undefined;
}

/** A decoder's complaint, made readable: libvips sometimes gives none, or only a dangling label. */
export function decoderSays(message: string): string {
  const text = message.split('\n')[0].trim();
  if (!text || /\(Unknown error\)$|^Unknown error$/.test(text)) return 'the decoder gave no reason';
  return text.replace(/:\s*$/, '');
}
