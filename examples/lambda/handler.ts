/**
 * The article's Lambda, on strongroom: store and fetch a customer's secret. It reads
 * SECRETS_TABLE_NAME and KMS_KEY_ID from the environment, as the article's function does; the
 * CDK example (examples/cdk) sets both and grants exactly what this needs.
 *
 * What changes against the bare pattern: every value is sealed in an envelope bound to its
 * customer, name and version (a value copied to another row never decrypts), writes keep
 * versions and can check-and-set, and the value of any size up to 256 KiB works.
 */
import { openAwsStore, StrongroomError } from 'strongroom/aws';

/** The requests this function takes, for example from another service's Lambda invoke. */
export type SecretRequest =
  | {
      readonly action: 'store';
      readonly customerId: string;
      readonly secretId: string;
      /** The value to store; the function never logs it. */
      readonly value: string;
      /** Check-and-set: only if this is still the newest version (0: only if new). */
      readonly expectedVersion?: number;
    }
  | {
      readonly action: 'fetch';
      readonly customerId: string;
      readonly secretId: string;
      readonly version?: number;
    };

export type SecretResponse =
  | { readonly ok: true; readonly version: number; readonly value?: string }
  | { readonly ok: false; readonly code: string; readonly message: string };

// Outside the handler, so warm invocations reuse the clients and their connections.
const { store } = openAwsStore();

export async function handler(request: SecretRequest): Promise<SecretResponse> {
  try {
    if (request.action === 'store') {
      const options =
        request.expectedVersion === undefined ? {} : { expectedVersion: request.expectedVersion };
      const version = await store.put(request.customerId, request.secretId, request.value, options);

      return { ok: true, version };
    }

    const options = request.version === undefined ? {} : { version: request.version };
    const secret = await store.get(request.customerId, request.secretId, options);
    return { ok: true, version: secret.version, value: secret.value.text() };
  } catch (error) {
    // strongroom's messages name the customer and secret, never a value, so they can be
    // returned and logged; anything else stays opaque.
    if (error instanceof StrongroomError) {
      return { ok: false, code: error.code, message: error.message };
    }
    throw error;
  }
}
