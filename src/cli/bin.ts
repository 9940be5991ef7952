#!/usr/bin/env node
import { runCli } from './main.js';

// The AWS SDK warns on every run under Node.js 20 that its releases after January 2027 need 22.
// The lockfile pins a release that runs on 20 and the README says so; a CLI user should not
// read that notice on every command. An explicit setting of the variable is kept.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The exit code is set rather than process.exit() called, so stdout drains into a pipe first.
process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: process.stdin.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
});
