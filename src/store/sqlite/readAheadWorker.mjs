// The read-ahead thread of src/store/sqlite/readAhead.ts (plain JavaScript: a worker does not inherit
// the main thread's TypeScript loader). It fetches the next page of the events table on its own
// read-only connection while the main thread applies the page before, and packs the rows into a
// shared buffer: per row position (f64), revision (f64), stream and body lengths in bytes (u32), then
// their UTF-8 bytes. Only fetching happens here; parsing and the integrity check stay on the main
// thread (src/store/storedRow.ts), so a page read ahead is checked exactly as a page read directly.
import { workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, control, slot } = workerData;
const ctl = new Int32Array(control);
const out = Buffer.from(slot);
const db = new Database(file, { readonly: true, fileMustExist: true });
const read = db
  .prepare(
    'SELECT position, stream, revision, body FROM events WHERE position >= ? ORDER BY position LIMIT ?',
  )
  .raw();

// The layout of `control`, shared with readAhead.ts.
const REQUEST = 0; // a sequence number, or STOP
const FROM = 1;
const MAX = 2;
const STATE = 3;
const READY = 2;
const TOO_BIG = 3;
const FAILED = 4;
const STOP = -1;

/** Writes `text` at `at` if it fits; the number of bytes, or -1. */
const put = (text, at) => {
  const room = out.length - at;
  if (room < text.length * 3 && Buffer.byteLength(text) > room) return -1;
  return out.write(text, at, 'utf8');
};

let seen = 0;
for (;;) {
  Atomics.wait(ctl, REQUEST, seen);
  const request = Atomics.load(ctl, REQUEST);
  if (request === STOP) break;
  seen = request;
  let state = READY;
  try {
    const rows = read.all(ctl[FROM], ctl[MAX]);
    out.writeUInt32LE(rows.length, 0);
    let at = 8;
    for (const [position, stream, revision, body] of rows) {
      if (at + 24 > out.length) {
        state = TOO_BIG;
        break;
      }
      out.writeDoubleLE(position, at);
      out.writeDoubleLE(revision, at + 8);
      const s = put(stream, at + 24);
      const b = s < 0 ? -1 : put(body, at + 24 + s);
      if (b < 0) {
        state = TOO_BIG;
        break;
      }
      out.writeUInt32LE(s, at + 16);
      out.writeUInt32LE(b, at + 20);
      at += 24 + s + b;
    }
  } catch {
    state = FAILED; // the main thread reads the page itself and meets the error there
  }
  Atomics.store(ctl, STATE, state);
  Atomics.notify(ctl, STATE);
}
db.close();
