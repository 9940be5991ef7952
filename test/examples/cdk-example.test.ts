import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../examples/cdk/app.js';

test('the CDK example synthesizes offline, the Lambda bound to the key and table', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'strongroom-cdk-'));
  try {
    const app = buildApp(outdir);

    const stack = app.synth().getStackByName('StrongroomExample');
    const template = Template.fromJSON(stack.template);

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Environment: {
        Variables: {
          KMS_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('CustomerSecrets'), 'Arn'] },
          SECRETS_TABLE_NAME: { Ref: Match.stringLikeRegexp('CustomerSecrets') },
        },
      },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/customer-secrets' });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    // The handler was bundled into an asset at synthesis: the function points at its zip.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Code: { S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
