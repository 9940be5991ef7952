#!/usr/bin/env node
import { runCli } from './main.js';

// The exit code is set rather than process.exit() called, so stdout drains into a pipe first.
process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: process.stdin.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
});
