import assert from 'node:assert/strict';

type ErrorClass<E> = abstract new (...args: never[]) => E;

interface Expected {
  readonly code: string;
  /** The whole message, or a pattern it must match. */
  readonly message: string | RegExp;
}

function checkError<E extends Error>(error: unknown, type: ErrorClass<E>, expected: Expected): E {
  assert.ok(error instanceof type, `expected a ${type.name}, got ${String(error)}`);
  assert.equal((error as E & { code?: unknown }).code, expected.code);
  if (typeof expected.message === 'string') {
    assert.equal(error.message, expected.message);
  } else {
    assert.match(error.message, expected.message);
  }

  return error;
}

/**
 * Awaits `work`, which must reject with an error of `type` carrying `code` and `message`.
 * Returns the error for further checks.
 */
export async function expectRejection<E extends Error>(
  work: Promise<unknown>,
  type: ErrorClass<E>,
  expected: Expected,
): Promise<E> {
  try {
    await work;
  } catch (error) {
    return checkError(error, type, expected);
  }

  assert.fail(`expected a ${type.name} (${expected.code}), but the call succeeded`);
}

/** The same as {@link expectRejection} for a call that throws synchronously. */
export function expectThrow<E extends Error>(
  work: () => unknown,
  type: ErrorClass<E>,
  expected: Expected,
): E {
  try {
    work();
  } catch (error) {
    return checkError(error, type, expected);
  }

  assert.fail(`expected a ${type.name} (${expected.code}), but the call succeeded`);
}
