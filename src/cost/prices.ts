/**
 * The parameters of `strongroom cost`: AWS list prices and the item-size assumptions behind
 * them, in one object so that no price is written anywhere else. Prices are on-demand rates of
 * US East (N. Virginia); other Regions differ by a few percent. Each figure names its source.
 */

/** Secrets Manager's list prices. Source: aws.amazon.com/secrets-manager/pricing. */
export interface SecretsManagerPrices {
  /** USD per secret per month, prorated by the hour; a replica counts as a secret. */
  readonly perSecretMonth: number;
  /** USD per 10,000 API calls (GetSecretValue, PutSecretValue and the rest). */
  readonly perTenThousandCalls: number;
  /** The largest value a secret holds, in bytes (64 KB). */
  readonly valueLimitBytes: number;
}

/** Parameter Store's tiers and prices. Source: aws.amazon.com/systems-manager/pricing. */
export interface ParameterStorePrices {
  /** Standard parameters are free, and an account holds at most this many per Region. */
  readonly standardParameterLimit: number;
  /** The largest standard SecureString value, in bytes (4 KB). */
  readonly standardValueLimitBytes: number;
  /** USD per advanced parameter per month: every parameter past the standard limit is one. */
  readonly advancedPerParameterMonth: number;
  /** The most advanced parameters an account holds per Region. */
  readonly advancedParameterLimit: number;
  /** The largest advanced value, in bytes (8 KB). */
  readonly advancedValueLimitBytes: number;
  /** USD per 10,000 API interactions with advanced parameters (standard ones are free). */
  readonly advancedPerTenThousandCalls: number;
}

/** AWS KMS prices. Source: aws.amazon.com/kms/pricing and FACTS.md. */
export interface KmsPrices {
  /** USD per customer managed key per month (rotation adds no monthly charge here). */
  readonly perKeyMonth: number;
  /** USD per 10,000 requests: Encrypt, Decrypt, GenerateDataKey, ReEncrypt. */
  readonly perTenThousandRequests: number;
  /** Requests free each month, account-wide: another workload in the account shares them. */
  readonly freeRequestsPerMonth: number;
}

/** DynamoDB on-demand prices. Source: aws.amazon.com/dynamodb/pricing/on-demand. */
export interface DynamoDbPrices {
  /** USD per GB-month of table storage (Standard table class). */
  readonly perGbMonth: number;
  /** GB of storage free each month, per account and Region, shared by every table. */
  readonly freeStorageGb: number;
  /** USD per million read request units (1 unit: a strongly consistent read of 4 KB). */
  readonly perMillionReadUnits: number;
  /** USD per million write request units (1 unit: a write of 1 KB). */
  readonly perMillionWriteUnits: number;
  /** Bytes added to each item when storage is billed (guide: "DynamoDB item sizes and formats"). */
  readonly storageOverheadBytesPerItem: number;
  /**
   * A flat monthly figure that replaces the itemized read and write units, as the article
   * assumes; `undefined` itemizes them.
   */
  readonly flatRequestsPerMonth: number | undefined;
}

/**
 * How large the items are, from docs/FORMAT.md and docs/DYNAMODB.md. Attribute bytes count the
 * names and values DynamoDB bills, for a 16-byte tenant and a 32-byte secret name, with no
 * description or tags.
 */
export interface ItemAssumptions {
  /** What an envelope adds to a value with the local keyring (FORMAT.md, "Overhead"). */
  readonly envelopeOverheadBytes: number;
  /** What a KMS data key adds on top: its larger wrapped key and the key ARN (DYNAMODB.md). */
  readonly kmsEnvelopeExtraBytes: number;
  /** A head item's attributes besides its envelope copy (keys, revision, labels, dates). */
  readonly headAttributeBytes: number;
  /** A version item's attributes besides its envelope (keys, createdAt, size). */
  readonly versionAttributeBytes: number;
  /** The item that points at a Parameter Store parameter in the article's layout. */
  readonly referenceItemBytes: number;
  /** Versions kept per secret (`maxVersions`, or how many were written). */
  readonly versionsPerSecret: number;
  /** Whether reads are strongly consistent (the store's default); eventual ones cost half. */
  readonly consistentReads: boolean;
  /**
   * When set, every secret is one item of this many bytes, written with one plain request, as
   * in the article's layout; `undefined` sizes a head and its version items from the value.
   */
  readonly fixedItemBytes: number | undefined;
}

/** Every parameter of the cost model. */
export interface PriceModel {
  /** The Region the prices are for. */
  readonly region: string;
  /** When the prices were last checked against their sources (ISO date). */
  readonly checked: string;
  /** What the model stands for, shown beside its figures. */
  readonly basis: string;
  readonly secretsManager: SecretsManagerPrices;
  readonly parameterStore: ParameterStorePrices;
  readonly kms: KmsPrices;
  readonly dynamoDb: DynamoDbPrices;
  readonly items: ItemAssumptions;
}

/**
 * The itemized model with list prices as checked on 2026-12-03. DynamoDB's on-demand request
 * prices are those in force since AWS halved them on 2024-11-01 ($0.125 and $0.625 per million
 * units); the pricing page renders its table from a script, so they were read from reports of
 * that change and its on-demand page, not from the table itself.
 *
 * @example
 * const model = { ...DEFAULT_PRICES, kms: { ...DEFAULT_PRICES.kms, freeRequestsPerMonth: 0 } };
 * estimateMonthlyCost(workload, model);
 */
export const DEFAULT_PRICES: PriceModel = Object.freeze({
  region: 'us-east-1',
  checked: '2026-12-03',
  basis: 'itemized list prices',
  secretsManager: Object.freeze({
    perSecretMonth: 0.4,
    perTenThousandCalls: 0.05,
    valueLimitBytes: 65_536,
  }),
  parameterStore: Object.freeze({
    standardParameterLimit: 10_000,
    standardValueLimitBytes: 4_096,
    advancedPerParameterMonth: 0.05,
    advancedParameterLimit: 100_000,
    advancedValueLimitBytes: 8_192,
    advancedPerTenThousandCalls: 0.05,
  }),
  kms: Object.freeze({
    perKeyMonth: 1,
    perTenThousandRequests: 0.03,
    freeRequestsPerMonth: 20_000,
  }),
  dynamoDb: Object.freeze({
    perGbMonth: 0.25,
    freeStorageGb: 25,
    perMillionReadUnits: 0.125,
    perMillionWriteUnits: 0.625,
    storageOverheadBytesPerItem: 100,
    flatRequestsPerMonth: undefined,
  }),
  items: Object.freeze({
    envelopeOverheadBytes: 152,
    kmsEnvelopeExtraBytes: 150,
    headAttributeBytes: 220,
    versionAttributeBytes: 112,
    referenceItemBytes: 143,
    versionsPerSecret: 1,
    consistentReads: true,
    fixedItemBytes: undefined,
  }),
});

/**
 * The article's own assumptions, to reproduce its comparison: no KMS free tier (it counts
 * every request), DynamoDB reads and writes as a flat $10 a month, one 1 KB item per secret
 * with no storage overhead or free storage, and Parameter Store API calls left out.
 */
export const ARTICLE_ASSUMPTIONS: PriceModel = Object.freeze({
  ...DEFAULT_PRICES,
  basis: "the article's assumptions",
  parameterStore: Object.freeze({
    ...DEFAULT_PRICES.parameterStore,
    advancedPerTenThousandCalls: 0,
  }),
  kms: Object.freeze({ ...DEFAULT_PRICES.kms, freeRequestsPerMonth: 0 }),
  dynamoDb: Object.freeze({
    ...DEFAULT_PRICES.dynamoDb,
    freeStorageGb: 0,
    storageOverheadBytesPerItem: 0,
    flatRequestsPerMonth: 10,
  }),
  items: Object.freeze({ ...DEFAULT_PRICES.items, fixedItemBytes: 1024 }),
});
