// Quell local accounts CLI:
//   users --file <path> add <username> --role viewer|operator|admin [--password-file f]   (password: one line on stdin)
//   users --file <path> passwd <username> [--password-file f]
//   users --file <path> role <username> <role>
//   users --file <path> disable <username> | enable <username>
//   users --file <path> list
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { addUser, disableUser, enableUser, listUsers, setPassword, setRole, UsersFileError } from '../auth/users-file.ts';

const USAGE = `usage: users --file <path> <command>
  add <username> --role viewer|operator|admin [--password-file <f>]   password is read from stdin (one line) unless --password-file
  passwd <username> [--password-file <f>]
  role <username> <viewer|operator|admin>
  disable <username>
  enable <username>
  list`;

async function readStdinLine(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

export async function runUsersCli(argv: string[], out: (line: string) => void = (l) => console.log(l)): Promise<number> {
  const positional: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') continue;
    if (a.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined) {
        out(`${a}: needs a value\n${USAGE}`);
        return 2;
      }
      flags[a.slice(2)] = value;
      i++;
    } else positional.push(a);
  }
  const file = flags.file;
  const [command, username, extra] = positional;
  if (!file || !command) {
    out(USAGE);
    return 2;
  }
  const password = async () => (flags['password-file'] !== undefined ? readFileSync(flags['password-file'], 'utf8').split(/\r?\n/)[0] ?? '' : readStdinLine());
  try {
    switch (command) {
      case 'add':
        if (!username || !flags.role) break;
        await addUser(file, username, await password(), flags.role);
        out(`added ${username} (${flags.role})`);
        return 0;
      case 'passwd':
        if (!username) break;
        await setPassword(file, username, await password());
        out(`password changed for ${username}`);
        return 0;
      case 'role':
        if (!username || !extra) break;
        setRole(file, username, extra);
        out(`${username} is now ${extra}`);
        return 0;
      case 'disable':
        if (!username) break;
        disableUser(file, username);
        out(`${username} disabled`);
        return 0;
      case 'enable':
        if (!username) break;
        enableUser(file, username);
        out(`${username} enabled`);
        return 0;
      case 'list':
        for (const u of listUsers(file)) out(`${u.username}\t${u.role}\t${u.disabled ? 'disabled' : 'active'}`);
        return 0;
    }
  } catch (err) {
    if (err instanceof UsersFileError) {
      out(`error: ${err.message}`);
      return 1;
    }
    throw err;
  }
  out(USAGE);
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  runUsersCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : 'failed');
      process.exit(1);
    },
  );
}
