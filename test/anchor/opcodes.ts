/** Opcodes of EVM bytecode, skipping PUSH data; stops at the CBOR metadata (after the first INVALID 0xfe). */
export function opcodes(hexCode: string): number[] {
  const bytes = Buffer.from(hexCode.slice(2), 'hex');
  const metaLen = bytes.readUInt16BE(bytes.length - 2) + 2;
  const end = bytes.length - metaLen;
  const ops: number[] = [];
  for (let i = 0; i < end; i++) {
    const op = bytes[i] as number;
    ops.push(op);
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f;
  }
  return ops;
}
