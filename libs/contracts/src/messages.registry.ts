import { catalogue, type PublicMessage } from './catalogue';
import { createRegistry, type DecodeResult } from './registry';

// Frozen older versions are registered here as `older: [olderVersion(1, FrozenV1, upcastV1ToV2)]` on the
// entry of their type. Every v1 is still current, so none exist yet.
const registry = createRegistry<PublicMessage>(catalogue.map((e) => ({ type: e.type, v: e.v, schema: e.schema })));

/**
 * Decodes a public message from the bus or the store: bytes (UTF-8 JSON), JSON text or an already parsed value.
 * Older versions are upcast to the current one. Unknown keys are dropped (tolerant reader: producers may add
 * optional fields before consumers know them). The reason names the type, version, field and rule that failed.
 */
export function decodeMessage(input: unknown): DecodeResult<PublicMessage> {
  return registry.decode(input);
}

/**
 * Validates a public message against its current schema and returns its JSON text, ready to publish or store.
 * @throws ContractViolationError with the same kind of reason as {@link decodeMessage}.
 */
export function encodeMessage(message: PublicMessage): string {
  return registry.encode(message);
}
