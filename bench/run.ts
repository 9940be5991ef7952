/**
 * `npm run bench`: runs every benchmark in this folder, one after another, in one process.
 * Results go to bench/results/ as JSON and Markdown; progress goes to stderr on a terminal.
 */
import { runSealOpen } from './seal-open.js';

await runSealOpen();
