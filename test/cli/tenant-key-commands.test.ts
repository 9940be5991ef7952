import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EXIT_CONFLICT, EXIT_USAGE } from '../../src/cli/exit-codes.js';
import { parseEnvelope } from '../../src/format/envelope.js';
import { Cli } from './harness.js';

describe('per-tenant keys on the command line', () => {
  test('--tenant-keys writes under the tenant key; keys list shows it', async (t) => {
    const cli = new Cli(t);

    await cli.put('acme', 'db', 'hunter2', ['--tenant-keys']);
    const listed = await cli.run(['keys', 'list', '--tenant', 'acme']);
    const json = JSON.parse((await cli.run(['keys', 'list', '--tenant', 'acme', '--json'])).out);

    const envelope = parseEnvelope(cli.readEnvelope({ tenant: 'acme', name: 'db', version: 1 }));
    assert.equal(envelope.keyRef.layer, 'tenant');
    assert.equal((await cli.run(['get', 'acme', 'db'])).out, 'hunter2');
    assert.match(
      listed.out,
      /^VERSION {2}CREATED {2,}WRAPPED BY\n1 {8}\S+Z {2}local kr-[0-9a-f]{12} v1\n$/,
    );
    assert.equal(json.tenant, 'acme');
    assert.equal(json.tenantKeys.length, 1);
    assert.equal(json.tenantKeys[0].version, 1);
    assert.equal(json.tenantKeys[0].masterKey.provider, 'local');
    const describe = await cli.run(['describe', 'acme', 'db']);
    assert.match(describe.out, /sealed +envelope, tenant v1 \(tenant key\)\n/);
  });

  test('rotate --tenant, rewrap --tenant, then retire refuses while writers may lag', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'db', 'one', ['--tenant-keys']);
    await cli.put('globex', 'db', 'two', ['--tenant-keys']);

    const rotated = await cli.run(['keys', 'rotate', '--tenant', 'acme']);
    const rewrapped = await cli.run(['rewrap', '--tenant', 'acme', '--tenant-keys']);
    const retired = await cli.run(['keys', 'retire', '--tenant', 'acme']);

    assert.equal(rotated.out, '2\n');
    assert.match(rotated.stderr, /run strongroom rewrap --tenant acme/);
    assert.equal(
      rewrapped.out,
      'rewrapped 1 of 1 versions\nrewrapped 0 of 2 tenant key versions\n',
    );
    const acme = parseEnvelope(cli.readEnvelope({ tenant: 'acme', name: 'db', version: 1 }));
    const globex = parseEnvelope(cli.readEnvelope({ tenant: 'globex', name: 'db', version: 1 }));
    assert.equal(acme.keyRef.keyVersion, 2);
    assert.equal(globex.keyRef.keyVersion, 1);
    assert.equal(retired.code, EXIT_CONFLICT);
    assert.match(retired.stderr, /tenant key version 2 of tenant acme is newer than the key cache/);
    assert.equal((await cli.run(['get', 'acme', 'db'])).out, 'one');
  });

  test('a master key rotation rewraps the tenant keys', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'db', 'one', ['--tenant-keys']);
    await cli.run(['keys', 'rotate']);

    const result = await cli.run(['rewrap']);
    const json = JSON.parse((await cli.run(['keys', 'list', '--tenant', 'acme', '--json'])).out);

    assert.equal(result.out, 'rewrapped 0 of 1 versions\nrewrapped 1 of 1 tenant key versions\n');
    assert.equal(json.tenantKeys[0].masterKey.keyVersion, 2);
    assert.equal((await cli.run(['get', 'acme', 'db'])).out, 'one');
  });

  test('keys list and retire need --tenant; --tenant-keys refuses direct mode', async (t) => {
    const cli = new Cli(t);
    await cli.put('acme', 'db', 'one');

    const list = await cli.run(['keys', 'list']);
    const direct = await cli.run(['put', 'acme', 'x', '--tenant-keys', '--mode', 'direct'], {
      stdin: 'v',
    });

    assert.equal(list.code, EXIT_USAGE);
    assert.match(list.stderr, /--tenant/);
    assert.notEqual(direct.code, 0);
    assert.match(direct.stderr, /options\.tenantKeys: needs mode 'envelope'/);
  });
});
