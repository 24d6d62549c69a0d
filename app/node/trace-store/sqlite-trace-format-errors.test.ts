// Bad recordings: each must give a TraceFormatError that names the file and says what is wrong,
// never another exception, a crash or a hang.

import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceFormatError } from '../../replay/trace/trace.js';
import { APPLICATION_ID, PAGE_SIZE, SCHEMA_SQL } from './schema.js';
import { openTraceReader } from './sqlite-trace-reader.js';
import { createTraceWriter } from './sqlite-trace-writer.js';
import { inputData, ramPage, readEverything, testHeader } from './test-support.js';

const dir = mkdtempSync(join(tmpdir(), 'hsrec-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `b${n++}.hsrec`);

/** Opens and reads everything; returns the error thrown (or null if the file read fine). */
function tryRead(path: string): unknown {
  try {
    const r = openTraceReader(path);
    try {
      readEverything(r);
    } finally {
      r.close();
    }
    return null;
  } catch (e) {
    return e;
  }
}

function expectFormatError(path: string, message: RegExp): TraceFormatError {
  const e = tryRead(path);
  expect(e).toBeInstanceOf(TraceFormatError);
  const err = e as TraceFormatError;
  expect(err.message).toContain(path);
  expect(err.message).toMatch(message);
  return err;
}

/** A closed recording of ~3 MB touching every table: the sample the damage tests start from. */
let sample = '';
beforeAll(() => {
  sample = join(dir, 'sample.hsrec');
  const w = createTraceWriter(sample, testHeader(200_000));
  for (let i = 0; i < 20_000; i++) w.appendInput({ icount: i * 3, ticks: i * 3, kind: 'uart-rx', data: inputData(i * 3) });
  for (let i = 0; i < 5_000; i++) w.appendDerived({ icount: i * 11, kind: i % 4 ? 'uart-tx' : 'trap', data: inputData(i) });
  for (let s = 0; s < 6; s++) {
    const pages = Array.from({ length: s === 0 ? 120 : 40 }, (_, i) => ramPage(i * 2 + s, s));
    w.appendSnapshot({ icount: s * 10_000, keyframe: s === 0, state: inputData(s), pages, stateHash: `h${s}`, writeSummary: inputData(s + 1) });
  }
  w.markProgress(60_000);
  w.setEnd({ icount: 60_000, reason: { kind: 'stopped' } });
  w.close();
});

function copyOfSample(): string {
  const p = fresh();
  copyFileSync(sample, p);
  return p;
}

describe('recordings that are not recordings', () => {
  it('the sample itself reads fine', () => {
    expect(tryRead(sample)).toBeNull();
  });

  it('a missing file, a directory', () => {
    expectFormatError(join(dir, 'nope.hsrec'), /no such file/);
    const d = join(dir, 'a-directory.hsrec');
    mkdirSync(d);
    expectFormatError(d, /directory/);
  });

  it('an empty file', () => {
    const p = fresh();
    writeFileSync(p, '');
    expectFormatError(p, /empty file/);
  });

  it('random bytes (short and long)', () => {
    for (const size of [10, 100, 5000, 200_000]) {
      const p = fresh();
      writeFileSync(p, randomBytes(size));
      expectFormatError(p, /not a Hindsight recording \(not a SQLite database\)/);
    }
  });

  it('a valid SQLite database of another application', () => {
    const p = fresh();
    const db = new Database(p);
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES (\'hello\')');
    db.close();
    expectFormatError(p, /is a SQLite database but not a Hindsight recording \(application_id 0x00000000/);
  });

  it('a recording made by another format version', () => {
    const p = copyOfSample();
    const db = new Database(p);
    db.pragma('user_version = 2');
    db.close();
    const e = expectFormatError(p, /recording made by format version 2; this Hindsight reads version 1/);
    expect(e.message).toBe(`${p}: recording made by format version 2; this Hindsight reads version 1`);
  });

  it('the right identification but no tables, or no header row', () => {
    const bare = fresh();
    let db = new Database(bare);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.close();
    expectFormatError(bare, /lacks part of the recording schema \(no such table/);

    const headerless = fresh();
    db = new Database(headerless);
    db.pragma(`page_size = ${PAGE_SIZE}`);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.exec(SCHEMA_SQL);
    db.close();
    expectFormatError(headerless, /has no header/);
  });

  it('a damaged header: bad machine JSON, a guest image that does not match its hash', () => {
    let p = copyOfSample();
    let db = new Database(p);
    db.prepare('UPDATE header SET machine = ?').run('{"board":');
    db.close();
    expectFormatError(p, /machine configuration is malformed/);

    p = copyOfSample();
    db = new Database(p);
    db.prepare('UPDATE header SET guest_image = ?').run(Buffer.from('not the image'));
    db.close();
    expectFormatError(p, /guest image in the recording is corrupt \(SHA-256/);
  });

  it('rows of the wrong type (a hand-edited or damaged table)', () => {
    let p = copyOfSample();
    let db = new Database(p);
    db.prepare("UPDATE input SET data = 'text' WHERE id = 5").run();
    db.close();
    expectFormatError(p, /input event is malformed/);

    p = copyOfSample();
    db = new Database(p);
    db.prepare('UPDATE input SET kind = 99 WHERE id = 7').run();
    db.close();
    expectFormatError(p, /unknown kind id 99/);

    p = copyOfSample();
    db = new Database(p);
    db.prepare("UPDATE derived SET data = 'text' WHERE id = (SELECT min(id) FROM derived WHERE kind = (SELECT id FROM kind WHERE name = 'uart-tx'))").run();
    db.close();
    expectFormatError(p, /derived event is malformed/);
  });
});

describe('damaged recordings', () => {
  it('truncated at many lengths', () => {
    const size = statSync(sample).size;
    const cuts = [1, 16, 99, 100, 1000, 4096, PAGE_SIZE, PAGE_SIZE + 1, 2 * PAGE_SIZE, Math.floor(size / 2),
      Math.floor(size / PAGE_SIZE / 2) * PAGE_SIZE, size - PAGE_SIZE, size - 4096, size - 1];
    for (const cut of cuts) {
      const p = copyOfSample();
      truncateSync(p, cut);
      const e = tryRead(p);
      expect(e, `cut at ${cut} of ${size}`).toBeInstanceOf(TraceFormatError);
      expect((e as Error).message, `cut at ${cut}`).toContain(p);
    }
  });

  it('a whole SQLite page in the middle overwritten', () => {
    const size = statSync(sample).size;
    const pages = size / PAGE_SIZE;
    for (const page of [1, 2, Math.floor(pages / 3), Math.floor(pages / 2), pages - 2, pages - 1]) {
      const p = copyOfSample();
      const fd = openSync(p, 'r+');
      writeSync(fd, randomBytes(PAGE_SIZE), 0, PAGE_SIZE, page * PAGE_SIZE);
      closeSync(fd);
      const e = tryRead(p);
      expect(e, `page ${page} of ${pages}`).toBeInstanceOf(TraceFormatError);
      expect((e as Error).message).toMatch(/corrupt|malformed|truncated|not a SQLite/);
    }
  });

  it('small overwrites anywhere: a TraceFormatError or intact-looking data, never anything else', () => {
    // SQLite keeps no checksums: bytes changed inside a blob read back changed, without an error.
    // (The guest image is hashed; snapshots carry the machine state hash, checked on restore.)
    const size = statSync(sample).size;
    let detected = 0;
    for (let k = 0; k < 40; k++) {
      const p = copyOfSample();
      const at = Math.floor(((k + 0.5) / 40) * size);
      const fd = openSync(p, 'r+');
      writeSync(fd, randomBytes(64), 0, 64, Math.min(at, size - 64));
      closeSync(fd);
      const e = tryRead(p);
      if (e !== null) {
        expect(e, `64 bytes at ${at}`).toBeInstanceOf(TraceFormatError);
        detected++;
      }
      rmSync(p);
    }
    expect(detected).toBeGreaterThan(0);
  });

  it('the SQLite header damaged', () => {
    const p = copyOfSample();
    const fd = openSync(p, 'r+');
    writeSync(fd, Buffer.from([0x00, 0x03]), 0, 2, 16); // page size 3
    closeSync(fd);
    expectFormatError(p, /page size/);
  });
});
