// Opens a SQLite database through better-sqlite3 with the compiled addon this process can load.
// Node (the CLI, tests, `serve`) uses the package's own build. Electron has another ABI: in
// development `npm start` builds an Electron copy of the addon and names it in
// HINDSIGHT_SQLITE_BINDING (main/native-modules.ts), so the Node build the CLI needs stays as it
// is; a packaged app has its copy rebuilt in place by electron-builder and sets nothing.

import Database from 'better-sqlite3';

export function openDatabase(file: string, options: Database.Options = {}): Database.Database {
  const nativeBinding = process.env.HINDSIGHT_SQLITE_BINDING;
  return new Database(file, nativeBinding ? { ...options, nativeBinding } : options);
}
