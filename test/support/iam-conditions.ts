/**
 * Just enough of IAM's policy evaluation to check synthesized statements against requests the
 * library really sent: actions with wildcards, and the condition operators strongroom's grants
 * use. Multi-valued keys follow IAM's set operators: `ForAllValues:` holds when every request
 * value matches (and for no values at all), `ForAnyValue:` when one does.
 */

/** A policy statement as CloudFormation holds it. */
export interface Statement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Resource?: unknown;
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

/** What IAM would see of one request: the action and its condition keys. */
export interface RequestContext {
  readonly action: string;
  /** Single-valued keys (`kms:EncryptionContext:tenant`) and multi-valued ones (lists). */
  readonly keys: Readonly<Record<string, string | readonly string[] | undefined>>;
}

function list<T>(value: T | readonly T[]): readonly T[] {
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** IAM's wildcard match: `*` any run of characters, `?` one character, case-sensitive. */
function like(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

function actionMatches(statement: Statement, action: string): boolean {
  // Action names are case-insensitive in IAM.
  return list(statement.Action).some((pattern) =>
    like(pattern.toLowerCase(), action.toLowerCase()),
  );
}

function compare(operator: string, expected: string, actual: string): boolean {
  switch (operator) {
    case 'StringEquals':
      return expected === actual;
    case 'StringLike':
      return like(expected, actual);
    default:
      throw new Error(`condition operator ${operator} is not modelled by this test helper`);
  }
}

function conditionHolds(
  operator: string,
  key: string,
  expected: string | readonly string[],
  request: RequestContext,
): boolean {
  const actual = request.keys[key];
  const wanted = list(expected);

  if (operator === 'Null') {
    // "Null": "false" means the key must be present; "true" that it must be absent.
    return wanted.every((value) => (value === 'true') === (actual === undefined));
  }

  const [set, base] = operator.includes(':') ? operator.split(':') : [undefined, operator];
  const values = actual === undefined ? [] : list(actual);
  const matches = (value: string) => wanted.some((w) => compare(base as string, w, value));
  if (set === 'ForAllValues') {
    return values.every(matches);
  }
  if (set === 'ForAnyValue') {
    return values.some(matches);
  }

  // A plain operator on a missing key does not match, as in IAM.
  return values.length === 1 && matches(values[0] as string);
}

/** True when the statement applies to the request's action and every condition holds. */
export function statementAllows(statement: Statement, request: RequestContext): boolean {
  if (statement.Effect !== 'Allow' || !actionMatches(statement, request.action)) {
    return false;
  }

  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, expected]) =>
      conditionHolds(operator, key, expected, request),
    ),
  );
}

/** True when some statement allows the request (no explicit denies are modelled). */
export function policyAllows(statements: readonly Statement[], request: RequestContext): boolean {
  return statements.some((statement) => statementAllows(statement, request));
}
