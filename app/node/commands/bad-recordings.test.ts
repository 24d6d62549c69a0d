// Bad recordings through the CLI. `info`, `replay`, `replay --verify` and `query` must each end
// with a non-zero exit code and one clear line on stderr naming the problem — never a stack
// trace, never a hang, never a wrong answer given as if it were right:
//   - files that are not recordings (random bytes, empty, text, an ELF, another application's
//     SQLite database, a directory, a missing file),
//   - a recording of another format version,
//   - truncated recordings (cut at many lengths),
//   - corrupted recordings: whole SQLite pages overwritten (SQLite notices damaged b-tree pages),
//     and damage inside values, where SQLite keeps no checksum (input and output events, snapshot
//     RAM pages and CPU state, state hashes, write summaries): the recording's own redundancy
//     (replay checks, --verify) has to notice.

import { copyFileSync, mkdirSync, openSync, closeSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../replay/testing/prng.js';
import { TRACE_FORMAT_VERSION } from '../../replay/trace/trace.js';
import { describeCleanFailure, firmware, runCli, scratchDir, type CliResult } from '../testing/cli-harness.js';

const T = 20_000; // per test: a hang fails the test instead of stalling the run

const scratch = scratchDir('bad-recordings');
afterAll(() => scratch.remove());

/** A written stack range of the shell (prev-write has an answer there). */
const SHELL_RANGE = '0x80051700:16';

/** Every command that opens a recording, as a user would type them. */
function commands(file: string, range = SHELL_RANGE): string[][] {
  return [
    ['info', file, '--json'],
    ['replay', file],
    ['replay', '--verify', file],
    ['query', file, 'state', '--at', 'end', '--json'],
    ['query', file, 'prev-write', range, '--at', 'end', '--json'],
  ];
}

const isReplay = (args: readonly string[]): boolean => args[0] === 'replay';

async function expectCleanFailure(args: string[], message: RegExp, exitCode?: number): Promise<CliResult> {
  const r = await runCli(args);
  const what = `hindsight ${args.join(' ')}`;
  expect(describeCleanFailure(r, { guestOutput: isReplay(args) }), what).toBeNull();
  expect(r.stderr, what).toMatch(message);
  if (exitCode !== undefined) expect(r.code, what).toBe(exitCode);
  return r;
}

/** Runs every command on `file`; each must fail cleanly, name the file, and match `message`. */
async function expectAllFail(file: string, message: RegExp): Promise<void> {
  for (const args of commands(file)) {
    const r = await expectCleanFailure(args, message, 2);
    expect(r.stderr, args.join(' ')).toContain(file);
  }
}

let good = '';
let goodSize = 0;
let timerRec = '';
const intact = new Map<string, CliResult>();
const key = (args: readonly string[], file: string): string => args.map((a) => (a === file ? 'FILE' : a)).join(' ');

/** A copy of a recording with SQL applied to it (damage inside values, which SQLite cannot notice). */
function edited(name: string, edit: string | ((db: Database.Database) => void), from = good): string {
  const p = scratch.file(name);
  copyFileSync(from, p);
  const db = new Database(p);
  if (typeof edit === 'string') db.exec(edit); else edit(db);
  db.close();
  return p;
}

beforeAll(async () => {
  // The shell with input (inputs, UART output, many snapshots, a keyframe every 16) and timer.
  good = scratch.file('good.hsrec');
  const input = scratch.file('shell.in', 'echo damaged recordings\npoke 0x80100000 5a5a5a5a\nminstret\npoweroff\n');
  expect((await runCli(['record', firmware('shell'), '--serial-in', input, '-o', good, '--snapshot-every', '1000'])).code).toBe(0);
  goodSize = statSync(good).size;
  for (const args of commands(good)) {
    const r = await runCli(args);
    expect(r.code, args.join(' ')).toBe(0);
    intact.set(key(args, good), r);
  }
  timerRec = scratch.file('timer.hsrec');
  expect((await runCli(['record', firmware('timer'), '-o', timerRec, '--snapshot-every', '1000'])).code).toBe(0);
}, 60_000);

describe('files that are not recordings', () => {
  it('random bytes, short and long', async () => {
    const rnd = new Prng(1);
    for (const size of [10, 100, 5000, 2 * 65536]) {
      await expectAllFail(scratch.file(`random-${size}.hsrec`, rnd.bytes(size)), /is not a Hindsight recording \(not a SQLite database\)/);
    }
  }, T);

  it('an empty file', async () => {
    await expectAllFail(scratch.file('empty.hsrec', ''), /is an empty file, not a Hindsight recording/);
  }, T);

  it('a text file, and an ELF given where a recording belongs', async () => {
    await expectAllFail(scratch.file('notes.txt', 'hindsight recording notes\n'.repeat(20)), /not a SQLite database/);
    await expectAllFail(scratch.file('guest.elf', readFileSync(firmware('timer'))), /not a SQLite database/);
  }, T);

  it('a valid SQLite database of another application', async () => {
    const p = scratch.file('other-app.db');
    const db = new Database(p);
    db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('not a recording')");
    db.close();
    await expectAllFail(p, /is a SQLite database but not a Hindsight recording/);
  }, T);

  it('a missing file and a directory', async () => {
    await expectAllFail(scratch.file('missing.hsrec'), /no such file/);
    const d = scratch.file('a-directory.hsrec');
    mkdirSync(d);
    await expectAllFail(d, /is a directory/);
  }, T);
});

describe('a recording of another format version', () => {
  it('says which version made it and which this Hindsight reads', async () => {
    for (const version of [TRACE_FORMAT_VERSION + 1, 0]) {
      const p = scratch.file(`version-${version}.hsrec`);
      copyFileSync(good, p);
      const db = new Database(p);
      db.pragma(`user_version = ${version}`);
      db.close();
      for (const args of commands(p)) {
        const r = await expectCleanFailure(args, /./, 2);
        expect(r.stderr).toBe(`hindsight: ${p}: recording made by format version ${version}; this Hindsight reads version ${TRACE_FORMAT_VERSION}\n`);
      }
    }
  }, T);
});

describe('truncated recordings', () => {
  it('cut at many lengths: "truncated" from every command (once the SQLite header is there)', async () => {
    const page = 65536;
    // Too short for a SQLite header: nothing says it was ever a recording.
    for (const cut of [1, 16, 99]) {
      const p = scratch.file(`cut-${cut}.hsrec`);
      copyFileSync(good, p);
      truncateSync(p, cut);
      await expectAllFail(p, /is not a Hindsight recording \(not a SQLite database\)/);
    }
    const cuts = [100, 4096, page, page + 1, 2 * page, Math.floor(goodSize / 2), Math.floor(goodSize / page / 2) * page,
      goodSize - page, goodSize - 4096, goodSize - 1];
    for (const cut of cuts) {
      const p = scratch.file(`cut-${cut}.hsrec`);
      copyFileSync(good, p);
      truncateSync(p, cut);
      await expectAllFail(p, /truncated/);
    }
  }, T);
});

describe('corrupted recordings', () => {
  it('a whole SQLite page overwritten: each command fails cleanly or gives exactly the intact answer', async () => {
    const pages = goodSize / 65536;
    const rnd = new Prng(2);
    let failures = 0;
    for (const page of [0, 1, 2, Math.floor(pages / 3), Math.floor(pages / 2), pages - 2, pages - 1]) {
      const p = scratch.file(`page-${page}.hsrec`);
      copyFileSync(good, p);
      const fd = openSync(p, 'r+');
      writeSync(fd, rnd.bytes(page === 0 ? 65536 - 100 : 65536), 0, undefined, page === 0 ? 100 : page * 65536);
      closeSync(fd);
      for (const args of commands(p)) {
        if (args[0] === 'replay' && args[1] === p) continue; // --verify does all that replay does
        const r = await runCli(args);
        const what = `page ${page}: ${args.join(' ')}`;
        if (r.code !== 0 || r.thrown !== undefined) {
          failures++;
          expect(describeCleanFailure(r, { guestOutput: isReplay(args) }), what).toBeNull();
          expect(r.stderr, what).toMatch(/corrupt|malformed|truncated|damaged|diverged/);
        } else {
          const ok = intact.get(key(args, p))!;
          expect(r.stdout.toString('latin1'), what).toBe(ok.stdout.toString('latin1').replaceAll(good, p));
        }
      }
    }
    expect(failures).toBeGreaterThan(5);
  }, 40_000);

  it('an input event of the wrong length', async () => {
    const p = edited('input-length.hsrec', "UPDATE input SET data = x'4142' WHERE id = (SELECT min(id) FROM input)");
    await expectCleanFailure(['replay', p], /uart-rx event has 2 bytes of data, expected 1/, 2);
    await expectCleanFailure(['replay', '--verify', p], /uart-rx event has 2 bytes of data, expected 1/, 2);
  }, T);

  it('an input event of a kind this Hindsight does not know', async () => {
    const p = edited('input-kind.hsrec', "UPDATE kind SET name = 'usb-teleport' WHERE name = 'uart-rx'");
    await expectCleanFailure(['replay', p], /unknown input kind "usb-teleport"/, 2);
  }, T);

  it('an input byte changed: the replay diverges from the recorded output (exit 3)', async () => {
    const p = edited('input-value.hsrec', "UPDATE input SET data = x'7a' WHERE id = (SELECT min(id) + 2 FROM input)");
    await expectCleanFailure(['replay', p], /replay diverged at icount \d+/, 3);
  }, T);

  it('a recorded UART output event cut short', async () => {
    const p = edited('uart-tx.hsrec', "UPDATE derived SET data = x'0500' WHERE id = (SELECT min(id) FROM derived)");
    await expectCleanFailure(['replay', p], /uart-tx event holds 0 bytes, says 5/, 2);
  }, T);

  it('a snapshot RAM page changed: replay --verify names the snapshot', async () => {
    const p = edited('snapshot-page.hsrec', (db) => {
      // One byte of the last RAM page the snapshot at icount 5000 holds, flipped.
      const [id, page, data] = db.prepare(`SELECT p.snapshot_id, p.page, p.data FROM snapshot_page p JOIN snapshot s ON s.id = p.snapshot_id
        WHERE s.icount = 5000 ORDER BY p.page DESC LIMIT 1`).raw().get() as [number, number, Buffer];
      data[1234] ^= 0x40;
      db.prepare('UPDATE snapshot_page SET data = ? WHERE snapshot_id = ? AND page = ?').run(data, id, page);
    });
    await expectCleanFailure(['replay', '--verify', p], /snapshot \d+ at icount 5000 is corrupt: RAM page 0x[0-9a-f]+/, 2);
  }, T);

  // SQLite has no checksums: Timeline.restore checks each restored snapshot against its state hash.
  it('a snapshot RAM page changed: query state at that snapshot fails instead of showing the damaged byte', async () => {
    let addr = 0;
    const p = edited('snapshot-page-query.hsrec', (db) => {
      const [id, page, data] = db.prepare(`SELECT p.snapshot_id, p.page, p.data FROM snapshot_page p JOIN snapshot s ON s.id = p.snapshot_id
        WHERE s.icount = 5000 ORDER BY p.page DESC LIMIT 1`).raw().get() as [number, number, Buffer];
      data[1234] ^= 0x40;
      addr = 0x80000000 + page * 4096 + 1234;
      db.prepare('UPDATE snapshot_page SET data = ? WHERE snapshot_id = ? AND page = ?').run(data, id, page);
    });
    const mem = `0x${addr.toString(16)}:1`;
    const right = await runCli(['query', good, 'state', '--at', '5000', '--mem', mem, '--json']);
    const damaged = await runCli(['query', p, 'state', '--at', '5000', '--mem', mem, '--json']);
    expect(right.code).toBe(0);
    if (damaged.code === 0) expect(damaged.stdout.toString()).toBe(right.stdout.toString());
    else expect(describeCleanFailure(damaged)).toBeNull();
  }, T);

  it('a snapshot CPU state replaced by garbage: replay --verify names the snapshot, query fails cleanly', async () => {
    const p = edited('snapshot-state.hsrec', "UPDATE snapshot SET state = x'00112233445566778899' WHERE icount = 5000");
    await expectCleanFailure(['replay', '--verify', p], /snapshot \d+ at icount 5000 is corrupt: its CPU and device state/, 2);
    await expectCleanFailure(['query', p, 'state', '--at', '5500', '--json'], /./, 2);
  }, T);

  it('a snapshot state hash changed: replay --verify reports a divergence (exit 3)', async () => {
    const p = edited('snapshot-hash.hsrec', "UPDATE snapshot SET state_hash = '0123456789abcdef' WHERE icount = 5000");
    await expectCleanFailure(['replay', '--verify', p], /diverged at icount 5000/, 3);
  }, T);

  it('write summaries that are not whole records: prev-write fails instead of answering "not found"', async () => {
    const ok = await runCli(['query', timerRec, 'prev-write', 'ticks', '--at', 'end', '--json']);
    expect(JSON.parse(ok.stdout.toString()).found).toBe(true);
    const p = edited('summary.hsrec', "UPDATE snapshot SET write_summary = x'0102030405' WHERE icount > 0", timerRec);
    await expectCleanFailure(['query', p, 'prev-write', 'ticks', '--at', 'end', '--json'], /write summary .* is corrupt|write summary .*not a whole number/, 2);
    await expectCleanFailure(['query', p, 'next-write', 'ticks', '--at', '0', '--json'], /write summary/, 2);
  }, T);
});
