import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ConflictError, KeyringCorruptError, KeyringMissingError } from '../../src/errors.js';
import {
  createKeyring,
  parseKeyring,
  readKeyringFile,
  rotateKeyring,
  rotateKeyringFile,
  serializeKeyring,
  writeNewKeyringFile,
} from '../../src/keys/local/keyring.js';
import { expectRejection, expectThrow } from '../support/errors.js';
import { makeTempDir, permissions, removeTempDir } from '../support/temp-dir.js';

let root: string;
let count = 0;

function freshPath(): string {
  count += 1;
  return join(root, `keyring-${count}.json`);
}

/** The keyring file's document, to damage on purpose. */
function documentOf(text: string): { keys: Record<string, unknown>[] } & Record<string, unknown> {
  return JSON.parse(text);
}

function materialsOf(text: string): string[] {
  return documentOf(text).keys.map((key) => String(key.material));
}

before(() => {
  root = makeTempDir();
});

after(() => {
  removeTempDir(root);
});

describe('keyring', () => {
  test('a created keyring serializes and parses back to the same id and key material', () => {
    const keyring = rotateKeyring(createKeyring());

    const parsed = parseKeyring(serializeKeyring(keyring), 'test');

    assert.equal(parsed.id, keyring.id);
    assert.match(parsed.id, /^kr-[0-9a-f]{12}$/);
    assert.deepEqual(
      parsed.keys.map((key) => [key.version, key.createdAt, key.material.toString('hex')]),
      keyring.keys.map((key) => [key.version, key.createdAt, key.material.toString('hex')]),
    );
  });

  test('a rotated keyring keeps every version and makes the new one the newest', () => {
    const keyring = createKeyring();

    const rotated = rotateKeyring(rotateKeyring(keyring));

    assert.equal(rotated.id, keyring.id);
    assert.deepEqual(
      rotated.keys.map((key) => key.version),
      [1, 2, 3],
    );
    assert.equal(rotated.newest.version, 3);
    assert.ok(rotated.key(1)?.material.equals(keyring.newest.material));
    assert.ok(!rotated.newest.material.equals(keyring.newest.material));
  });

  test('inspecting or stringifying a keyring shows its id and versions, no key material', () => {
    const keyring = rotateKeyring(createKeyring());
    const materials = materialsOf(serializeKeyring(keyring));

    const shown = [inspect(keyring, { depth: 10 }), JSON.stringify(keyring), String(keyring)];

    assert.equal(shown[0], `Keyring ${keyring.id} { versions: [1, 2] }`);
    assert.deepEqual(JSON.parse(shown[1] ?? ''), { id: keyring.id, versions: [1, 2] });
    for (const text of shown) {
      for (const material of materials) {
        assert.ok(!text.includes(material));
        assert.ok(!text.includes(Buffer.from(material, 'base64').toString('hex')));
      }
    }
  });

  test('refuses damaged key material with KeyringCorruptError, without quoting it', () => {
    const text = serializeKeyring(createKeyring());
    const doc = documentOf(text);
    const original = String(doc.keys[0]?.material);
    const swapped = original[10] === 'A' ? 'B' : 'A';
    const damaged = `${original.slice(0, 10)}${swapped}${original.slice(11)}`;
    doc.keys[0] = { ...doc.keys[0], material: damaged };

    const error = expectThrow(
      () => parseKeyring(JSON.stringify(doc), 'keyring.json'),
      KeyringCorruptError,
      {
        code: 'ERR_KEYRING_CORRUPT',
        message:
          'keyring keyring.json is unreadable or corrupt: ' +
          'key version 1 is damaged (check value mismatch)',
      },
    );

    assert.ok(!error.message.includes(original));
    assert.ok(!error.message.includes(damaged));
    assert.ok(!inspect(error).includes(damaged));
  });

  test('refuses key material of the wrong length', () => {
    const doc = documentOf(serializeKeyring(createKeyring()));
    doc.keys[0] = { ...doc.keys[0], material: Buffer.alloc(16).toString('base64') };

    const work = () => parseKeyring(JSON.stringify(doc), 'test');

    expectThrow(work, KeyringCorruptError, {
      code: 'ERR_KEYRING_CORRUPT',
      message: /key version 1 is damaged/,
    });
  });

  test('refuses text that is not JSON, without quoting it', () => {
    const text = serializeKeyring(createKeyring());
    const [material = ''] = materialsOf(text);
    const broken = text.slice(0, text.indexOf(material) + material.length);

    const error = expectThrow(
      () => parseKeyring(broken, 'from $STRONGROOM_KEYRING'),
      KeyringCorruptError,
      {
        code: 'ERR_KEYRING_CORRUPT',
        message: 'keyring from $STRONGROOM_KEYRING is unreadable or corrupt: not valid JSON',
      },
    );

    assert.ok(!inspect(error).includes(material));
    assert.equal(error.cause, undefined);
  });

  test('refuses a keyring that holds one version twice', () => {
    const doc = documentOf(serializeKeyring(createKeyring()));
    doc.keys = [doc.keys[0] ?? {}, doc.keys[0] ?? {}];

    const work = () => parseKeyring(JSON.stringify(doc), 'test');

    expectThrow(work, KeyringCorruptError, {
      code: 'ERR_KEYRING_CORRUPT',
      message: 'keyring test is unreadable or corrupt: has a key version twice',
    });
  });

  type Damage = (doc: Record<string, unknown>, key: Record<string, unknown>) => void;
  const malformed: [string, Damage, string][] = [
    [
      'of another format',
      (doc) => {
        doc.format = 'other';
      },
      'not a strongroom-keyring document',
    ],
    [
      'of another format version',
      (doc) => {
        doc.formatVersion = 2;
      },
      'unsupported formatVersion',
    ],
    [
      'with a malformed id',
      (doc) => {
        doc.id = 'kr-XYZ';
      },
      'missing or malformed id',
    ],
    [
      'without keys',
      (doc) => {
        doc.keys = [];
      },
      'holds no keys',
    ],
    [
      'with a key entry that is not an object',
      (doc) => {
        doc.keys = [7];
      },
      'a key entry is not an object',
    ],
    [
      'with a version that is not a positive integer',
      (_, key) => {
        key.version = 0;
      },
      'a key version is not a positive integer',
    ],
    [
      'with a key lacking its check value',
      (_, key) => {
        key.check = undefined;
      },
      'key version 1 lacks material or check',
    ],
  ];
  for (const [what, damage, reason] of malformed) {
    test(`refuses a document ${what}`, () => {
      const doc = documentOf(serializeKeyring(createKeyring()));
      damage(doc, doc.keys[0] ?? {});

      const work = () => parseKeyring(JSON.stringify(doc), 'test');

      expectThrow(work, KeyringCorruptError, {
        code: 'ERR_KEYRING_CORRUPT',
        message: `keyring test is unreadable or corrupt: ${reason}`,
      });
    });
  }

  test('readKeyringFile returns undefined when there is no file', async () => {
    const path = freshPath();

    const keyring = await readKeyringFile(path);

    assert.equal(keyring, undefined);
  });

  test('writeNewKeyringFile writes the keyring with mode 0600', async () => {
    const path = freshPath();
    const keyring = createKeyring();

    await writeNewKeyringFile(path, keyring);

    assert.equal(permissions(statSync(path).mode), 0o600);
    assert.equal((await readKeyringFile(path))?.id, keyring.id);
  });

  test('writeNewKeyringFile refuses to overwrite an existing file', async () => {
    const path = freshPath();
    writeFileSync(path, 'precious', { mode: 0o600 });

    const work = writeNewKeyringFile(path, createKeyring());

    await assert.rejects(work, { code: 'EEXIST' });
    assert.equal(readFileSync(path, 'utf8'), 'precious');
  });

  test('rotateKeyringFile adds a version and keeps every old one', async () => {
    const path = freshPath();
    const keyring = createKeyring();
    await writeNewKeyringFile(path, keyring);

    const rotated = await rotateKeyringFile(path);

    const onDisk = await readKeyringFile(path);
    assert.equal(rotated.newest.version, 2);
    assert.equal(onDisk?.id, keyring.id);
    assert.deepEqual(
      onDisk?.keys.map((key) => key.version),
      [1, 2],
    );
    assert.ok(onDisk?.key(1)?.material.equals(keyring.newest.material));
    assert.equal(permissions(statSync(path).mode), 0o600);
  });

  test('rotateKeyringFile leaves no lock or temporary file behind', async () => {
    const path = freshPath();
    await writeNewKeyringFile(path, createKeyring());

    await rotateKeyringFile(path);

    const name = path.slice(root.length + 1);
    assert.deepEqual(
      readdirSync(root).filter((file) => file.startsWith(name)),
      [name],
    );
  });

  test('rotateKeyringFile refuses while another rotation holds the lock', async () => {
    const path = freshPath();
    await writeNewKeyringFile(path, createKeyring());
    const before = readFileSync(path, 'utf8');
    writeFileSync(`${path}.lock`, '12345');

    const work = rotateKeyringFile(path);

    await expectRejection(work, ConflictError, {
      code: 'ERR_CONFLICT',
      message:
        `keyring ${path} is being rotated by another process ` + `(remove ${path}.lock if none is)`,
    });
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.ok(existsSync(`${path}.lock`), 'the other rotation keeps its lock');
  });

  test('two concurrent rotations: one adds a version, the other is refused', async () => {
    const path = freshPath();
    await writeNewKeyringFile(path, createKeyring());

    const results = await Promise.allSettled([rotateKeyringFile(path), rotateKeyringFile(path)]);

    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason] : [],
    );
    assert.equal(refused.length, 1);
    assert.ok(refused[0] instanceof ConflictError);
    assert.match(refused[0].message, /is being rotated by another process/);
    assert.deepEqual(
      (await readKeyringFile(path))?.keys.map((key) => key.version),
      [1, 2],
    );
  });

  test('rotateKeyringFile of a missing file fails with KeyringMissingError', async () => {
    const path = freshPath();

    const work = rotateKeyringFile(path);

    await expectRejection(work, KeyringMissingError, {
      code: 'ERR_KEYRING_MISSING',
      message: new KeyringMissingError(path).message,
    });
    assert.equal(existsSync(`${path}.lock`), false);
  });
});

describe('master keys when printed', () => {
  test('inspect and JSON of the keys never show their material', () => {
    const keyring = createKeyring();
    const material = keyring.newest.material;
    const shown = [
      inspect(keyring.keys, { depth: 5, showHidden: false }),
      JSON.stringify(keyring.keys),
      JSON.stringify(keyring.newest),
      inspect(keyring),
    ].join('\n');

    assert.equal(material.length, 32);
    assert.equal(shown.includes(material.toString('base64')), false);
    assert.equal(shown.includes(material.toString('hex')), false);
    assert.doesNotMatch(shown, /material/);
  });
});
