/** KMS calls per operation, as the KMS test server counts them. */
export type KmsCounts = Readonly<Record<string, number>>;

/** Every call counted, whatever the operation. */
export function totalCalls(counts: KmsCounts): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** The calls per operation made between two readings of the counts, leaving out zeros. */
export function countsSince(before: KmsCounts, now: KmsCounts): Record<string, number> {
  return Object.fromEntries(
    Object.entries(now)
      .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}
