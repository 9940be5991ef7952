/**
 * One panel of the summary chart: horizontal bars, grouped by row, one bar per series, drawn as
 * SVG by hand (no charting dependency). A panel knows its own height, so chart.ts stacks them.
 */

export interface Series {
  readonly name: string;
  readonly color: string;
}

/** One bar of a row. */
export interface Bar {
  /** Index into the panel's series. */
  readonly series: number;
  readonly value: number;
  /** Written after the bar. */
  readonly label: string;
}

/** A row: its label on the left, then one bar per series. */
export interface Row {
  readonly label: string;
  readonly bars: readonly Bar[];
}

/** What a panel draws, and on what scale. */
export interface PanelSpec {
  readonly title: string;
  readonly subtitle: string;
  readonly series: readonly Series[];
  readonly rows: readonly Row[];
  /** A log scale spans `min` to `max`; a linear one starts at 0. */
  readonly scale: 'linear' | 'log';
  readonly min?: number;
  readonly max: number;
  /** A dashed line across the bars, with its label: a target or the 1× mark. */
  readonly reference?: { readonly value: number; readonly label: string };
  /** Formats an axis tick. */
  readonly tick: (value: number) => string;
}

/** Every panel's width in pixels, labels and values included. */
export const PANEL_WIDTH = 900;
const LABEL_WIDTH = 190;
const VALUE_ROOM = 90;
const BAR_HEIGHT = 13;
const BAR_GAP = 2;
const ROW_GAP = 9;
const HEADER = 56;
const AXIS = 28;

/** Text for SVG: the five characters XML reserves, escaped. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attributes}>${escapeXml(content)}</text>`;
}

/** Where a value falls along the bars, from 0 to 1, clamped. */
function position(spec: PanelSpec, value: number): number {
  if (spec.scale === 'linear') {
    return Math.min(1, Math.max(0, value / spec.max));
  }

  const min = spec.min ?? 1;
  if (value <= min) return 0;
  return Math.min(1, Math.log10(value / min) / Math.log10(spec.max / min));
}

function ticks(spec: PanelSpec): number[] {
  if (spec.scale === 'log') {
    const values: number[] = [];
    for (let value = spec.min ?? 1; value <= spec.max * 1.0001; value *= 10) {
      values.push(value);
    }
    return values;
  }

  const rough = spec.max / 5;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? rough;
  return Array.from({ length: Math.floor(spec.max / step) + 1 }, (_, at) => at * step);
}

/** The panel's SVG, its top-left corner at (x, y), and how tall it is. */
export function barPanel(spec: PanelSpec, x: number, y: number): { svg: string; height: number } {
  const left = x + LABEL_WIDTH;
  const span = PANEL_WIDTH - LABEL_WIDTH - VALUE_ROOM;
  const parts = [
    text(x, y + 16, spec.title, 'class="title"'),
    text(x, y + 32, spec.subtitle, 'class="note"'),
  ];
  // About 6 px per character at 11 px: room enough that one name never runs into the next.
  let legendX = left;
  for (const { name, color } of spec.series) {
    parts.push(`<rect x="${legendX}" y="${y + 38}" width="10" height="10" fill="${color}"/>`);
    parts.push(text(legendX + 14, y + 47, name, 'class="note"'));
    legendX += 14 + name.length * 6 + 24;
  }

  const bars: string[] = [];
  let rowY = y + HEADER + 12;
  const top = rowY;
  for (const row of spec.rows) {
    const rowHeight = Math.max(1, row.bars.length) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP;
    bars.push(text(x, rowY + rowHeight / 2 + 4, row.label, 'class="label"'));
    row.bars.forEach((bar, at) => {
      const barY = rowY + at * (BAR_HEIGHT + BAR_GAP);
      const width = position(spec, bar.value) * span;
      const color = spec.series[bar.series]?.color ?? '#888';
      bars.push(
        `<rect x="${left}" y="${barY}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" ` +
          `fill="${color}"/>`,
      );
      bars.push(text(left + width + 4, barY + BAR_HEIGHT - 2, bar.label, 'class="value"'));
    });
    rowY += rowHeight + ROW_GAP;
  }
  const bottom = rowY - ROW_GAP + 4;

  // The grid goes under the bars, the reference line over them.
  for (const value of ticks(spec)) {
    const tickX = left + position(spec, value) * span;
    parts.push(`<line x1="${tickX}" y1="${top - 4}" x2="${tickX}" y2="${bottom}" class="grid"/>`);
    parts.push(text(tickX, bottom + 14, spec.tick(value), 'class="tick"'));
  }
  parts.push(...bars);
  if (spec.reference !== undefined) {
    const refX = left + position(spec, spec.reference.value) * span;
    parts.push(`<line x1="${refX}" y1="${top - 6}" x2="${refX}" y2="${bottom}" class="ref"/>`);
    parts.push(text(refX + 3, top - 8, spec.reference.label, 'class="ref-label"'));
  }

  return { svg: parts.join('\n'), height: bottom - y + AXIS };
}
