/** Number formats shared by the Markdown reports and the chart, so that both read alike. */

/** Operations per second: whole numbers with separators from 100 up, one decimal below. */
export function formatRate(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(1);
}

/** Milliseconds: two decimals under 10 ms, one from there. */
export function formatMs(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

/** A ratio with two significant decimals, as `0.93×` or `4.2×`. */
export function formatRatio(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)}×`;
}

/** A count, rounded, with separators. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
