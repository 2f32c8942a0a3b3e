/** Checks shared by the text parsers for names and types as DNS servers print them. */

/** Printable ASCII without spaces; servers escape anything else (`\032`, `\.`). */
const PRINTED_NAME = /^[\x21-\x7e]+$/;
const TYPE_MNEMONIC = /^(?:[A-Z][A-Z0-9-]{0,15}|TYPE\d{1,5})$/;

/** A presentation-format name of at most 255 octets on the wire (each `\DDD` or `\c` is one). */
export function isPrintedName(name: string): boolean {
  if (name.length === 0 || name.length > 1024 || !PRINTED_NAME.test(name)) return false;
  if (name === '.') return true;
  const octets = name.replace(/\\(?:\d{3}|.)/g, 'x');
  const labels = (octets.endsWith('.') ? octets.slice(0, -1) : octets).split('.');
  return octets.length <= 254 && labels.every((label) => label.length >= 1 && label.length <= 63);
}

export function isTypeMnemonic(qtype: string): boolean {
  return TYPE_MNEMONIC.test(qtype);
}
