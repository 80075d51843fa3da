/** Outcome of decoding a message body (the contracts' `decodeMessage` shape). */
export type DecodeResult<M> = { ok: true; message: M } | { ok: false; reason: string };

/** Turns parsed JSON into a typed message, or says why it cannot. Must not throw (a throw is treated as a failure). */
export type Decoder<M> = (json: unknown) => DecodeResult<M>;

/** The part of a zod schema {@link decoderFromSchema} needs (zod itself is not imported here). */
export interface SafeParseSchema<M> {
  safeParse(value: unknown): { success: true; data: M } | { success: false; error: { issues: ReadonlyArray<SchemaIssue> } };
}

/** One schema issue: where and what. */
export interface SchemaIssue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

/**
 * A {@link Decoder} from a zod-like schema; the reason lists up to five issues as `path: message`
 * (zod messages name the expected shape, not the received value, so no personal data leaks into reasons).
 */
export function decoderFromSchema<M>(schema: SafeParseSchema<M>): Decoder<M> {
  return (json) => {
    const r = schema.safeParse(json);
    if (r.success) return { ok: true, message: r.data };
    const issues = r.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
    const more = r.error.issues.length > 5 ? `; +${r.error.issues.length - 5} more` : '';
    return { ok: false, reason: `schema: ${issues.join('; ')}${more}` };
  };
}

/** Strict UTF-8 (a malformed body is refused, not patched with U+FFFD); without `stream` it keeps no state between calls. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a message body: UTF-8 JSON, then the decoder. Never throws. */
export function decodeBody<M>(body: Uint8Array, decode: Decoder<M>): DecodeResult<M> {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(body));
  } catch (err) {
    // V8 quotes a slice of the input in its message; keep only the position (bodies may hold phone numbers).
    const at = /position (\d+)/.exec(err instanceof Error ? err.message : '')?.[1];
    return { ok: false, reason: `invalid JSON (${body.length} bytes${at === undefined ? '' : `, error at position ${at}`})` };
  }
  try {
    return decode(json);
  } catch (err) {
    return { ok: false, reason: `decoder threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}
