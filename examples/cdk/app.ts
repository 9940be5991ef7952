/**
 * The article's stack, as strongroom's construct: a KMS key with yearly rotation, the secrets
 * table, and the article's Lambda (examples/lambda) bound to both with least privilege.
 * `npm run example:synth` synthesizes it offline: no AWS account or credentials are needed.
 */
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SecretsStore } from 'strongroom/cdk';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Builds the example app; `outdir` is where the cloud assembly goes. */
export function buildApp(outdir: string): App {
  const app = new App({ outdir });
  const stack = new Stack(app, 'StrongroomExample', {
    description: 'Customer secrets in DynamoDB, sealed with KMS by strongroom',
  });

  const secrets = new SecretsStore(stack, 'CustomerSecrets', { alias: 'alias/customer-secrets' });
  const fn = new NodejsFunction(stack, 'SecretsFunction', {
    entry: `${root}examples/lambda/handler.ts`,
    projectRoot: root,
    depsLockFilePath: `${root}package-lock.json`,
    runtime: Runtime.NODEJS_22_X,
    // The Lambda runtime ships the AWS SDK v3; strongroom/aws loads nothing else native.
    bundling: { externalModules: ['@aws-sdk/*'], minify: true },
  });
  secrets.bind(fn);

  return app;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The cdk CLI (`cdk synth` with examples/cdk/cdk.json) passes its output folder in CDK_OUTDIR.
  const outdir = process.argv[2] ?? process.env.CDK_OUTDIR ?? `${root}cdk.out`;
  const assembly = buildApp(outdir).synth();
  const stack = assembly.getStackByName('StrongroomExample');
  const resources = Object.values(stack.template.Resources as Record<string, { Type: string }>);
  const types = resources.map((resource) => resource.Type).sort();

  console.log(`synthesized ${stack.stackName} to ${outdir}: ${types.length} resources`);
  console.log(types.join('\n'));
}
