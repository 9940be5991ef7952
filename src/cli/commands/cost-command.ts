import { type Command, InvalidArgumentError } from 'commander';
import {
  type CostEstimate,
  estimateMonthlyCost,
  type OptionEstimate,
} from '../../cost/estimate.js';
import { ARTICLE_ASSUMPTIONS, DEFAULT_PRICES } from '../../cost/prices.js';
import { WORKLOAD_DEFAULTS } from '../../cost/workload.js';
import type { CliIo } from '../cli-io.js';
import { addGlobalOptions, globalOptions, integer } from '../options.js';
import { formatTable, writeJson, writeText } from '../output.js';

interface CostFlags {
  secrets: number;
  reads: number;
  writes: number;
  valueBytes: number;
  tenants?: number;
  cacheMinutes?: number;
  kmsCallsPerRead?: number;
  article?: boolean;
}

// The table names an option's largest charges; the rest are in --json.
const MAIN_LINE_ITEMS = 3;

// The help quotes the model's own figures, so that it cannot drift from them.
const { tenants, cachePeriodMinutes: minutes } = WORKLOAD_DEFAULTS;
const { region, checked } = DEFAULT_PRICES;
const flat = ARTICLE_ASSUMPTIONS.dynamoDb.flatRequestsPerMonth;
const itemBytes = ARTICLE_ASSUMPTIONS.items.fixedItemBytes;

const COST_HELP = `
Prices are ${region} list prices with their free tiers, checked ${checked} (docs/COST.md
lists each one and its source). --article takes the comparison article's assumptions instead:
no KMS free tier, DynamoDB reads and writes as a flat $${flat} a month, one item of
${itemBytes} bytes per secret.

Examples:
  strongroom cost --secrets 50000 --reads 1000000
  strongroom cost --secrets 50000 --reads 1000000 --article
  strongroom cost --secrets 2000 --reads 50000000 --writes 2000 --tenants 400 --json`;

/** `strongroom cost`: what a workload costs a month on each option, line item by line item. */
export function registerCostCommand(program: Command, io: CliIo): void {
  const command = program
    .command('cost')
    .summary('estimate the monthly AWS bill of a workload, per option')
    .description(
      'Estimate what a workload costs a month on Secrets Manager, on Parameter Store and in ' +
        "each of strongroom's modes, with each option's main charges. Calls no AWS API.",
    )
    .requiredOption('--secrets <n>', 'secrets stored', integer(0))
    .requiredOption('--reads <n>', 'reads a month', integer(0))
    .option('--writes <n>', 'new versions written a month', integer(0), 0)
    .option('--value-bytes <n>', 'the average value size in bytes', integer(0), 1024)
    .option('--tenants <n>', `tenants, for per-tenant keys (default ${tenants})`, integer(1))
    .option(
      '--cache-minutes <n>',
      `minutes a cached key stays usable (default ${minutes})`,
      integer(1),
    )
    .option(
      '--kms-calls-per-read <ratio>',
      'KMS calls per read with the key cache, if measured (default: the cache model)',
      ratio,
    )
    .option('--article', "use the comparison article's assumptions instead of list prices")
    .addHelpText('after', COST_HELP);

  addGlobalOptions(command).action((flags: CostFlags) => {
    const options = globalOptions(command);
    const estimate = estimateMonthlyCost(
      {
        secrets: flags.secrets,
        readsPerMonth: flags.reads,
        writesPerMonth: flags.writes,
        averageValueBytes: flags.valueBytes,
        tenants: flags.tenants,
        cachePeriodMinutes: flags.cacheMinutes,
        kmsCallsPerRead: flags.kmsCallsPerRead,
      },
      flags.article ? ARTICLE_ASSUMPTIONS : DEFAULT_PRICES,
    );

    if (options.json) {
      writeJson(io.stdout, estimate);
      return;
    }
    writeText(io.stdout, costTable(estimate));
    io.stderr.write(
      `strongroom: ${estimate.basis}, ${estimate.region}, prices checked ` +
        `${estimate.pricesChecked} (docs/COST.md)\n`,
    );
    for (const { label, notes } of estimate.options) {
      for (const note of notes) {
        io.stderr.write(`strongroom: ${label}: ${note}\n`);
      }
    }
  });
}

function costTable(estimate: CostEstimate): string {
  // Totals right-aligned, so that their magnitudes line up.
  const totals = estimate.options.map((option) => usd(option.totalUsd));
  const width = Math.max('USD/MONTH'.length, ...totals.map((total) => total.length));

  const rows = estimate.options.map((option, index) => [
    option.label,
    (totals[index] ?? '').padStart(width),
    mainLineItems(option),
  ]);

  return formatTable([['OPTION', 'USD/MONTH'.padStart(width), 'MAIN LINE ITEMS'], ...rows]);
}

function mainLineItems(option: OptionEstimate): string {
  // Items that round to nothing would only crowd the column.
  const charged = option.lineItems.filter((item) => item.usd >= 0.005);
  const largest = [...charged].sort((a, b) => b.usd - a.usd).slice(0, MAIN_LINE_ITEMS);

  return largest.length === 0
    ? '-'
    : largest.map((item) => `${item.name} ${usd(item.usd)}`).join(', ');
}

function usd(value: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Parses `--kms-calls-per-read`: a decimal number from 0 to 1. */
function ratio(text: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || value > 1) {
    throw new InvalidArgumentError('must be a number from 0 to 1');
  }
  return value;
}
