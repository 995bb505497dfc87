/**
 * File modes of the store: the database holds callers' phone numbers and message bodies, so on
 * POSIX only the user who runs Flowscope may read it, whatever the process umask.
 *
 * Invariants:
 * - The database file is created 0600 before SQLite opens it; SQLite creates its `-wal` and `-shm`
 *   files with the database file's mode, so they follow.
 * - A store an earlier version left readable by others (0644 under umask 022) is tightened to 0600
 *   (database, `-wal`, `-shm`) every time it is opened.
 * - Windows has no mode bits (access is governed by the user profile's ACLs): nothing is done there.
 */
import fs from 'node:fs';

const PRIVATE_FILE_MODE = 0o600;
const SQLITE_SIDE_FILES = ['-wal', '-shm'] as const;
const isPosix = process.platform !== 'win32';

/** Creates `file` empty and 0600 unless it exists (SQLite takes an empty file as a new database). */
export function createPrivateFile(file: string): void {
  if (!isPosix) return;
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
}

/** Sets the database file and its present WAL / shared-memory files to 0600. */
export function restrictDatabaseFiles(file: string): void {
  if (!isPosix) return;
  fs.chmodSync(file, PRIVATE_FILE_MODE);
  for (const suffix of SQLITE_SIDE_FILES) {
    try {
      fs.chmodSync(file + suffix, PRIVATE_FILE_MODE);
    } catch (error) {
      // absent until the first access in WAL mode, and removed when the last connection closes
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}
