// What every `zhihui` command runs with (CliEnv, src/modules/types.ts): the configured database,
// printing, and how a run ends. A usage error prints its message (Chinese, then English) on stderr
// and exits with 2; an AppError prints its code and messages and exits with 1, as does a
// configuration error; commander reports its own parse errors. Never a stack trace for input.
import path from 'node:path';
import { CommanderError } from 'commander';
import { type Config, ConfigError, loadConfig } from '../core/config.js';
import { isAppError } from '../core/errors.js';
import { legacyDatabaseFile } from '../db/connect.js';
import type { CliEnv } from '../modules/types.js';
import { consoleLogger, createRuntime, type Runtime } from '../runtime.js';

/** Bad input on the command line: exit code 2. Thrown by CliEnv.usageError. */
export class CliUsageError extends Error {
  constructor(readonly messages: { zh: string; en: string }) {
    super(messages.en);
    this.name = 'CliUsageError';
  }
}

/** Where a command's lines go (one call per line or block, without the final newline). */
export type CliIo = { out: (text: string) => void; err: (text: string) => void };

export const processIo: CliIo = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** Opens the configured database — unless it is the new default while the old one holds the city. */
export function openRuntime(config: Config): Promise<Runtime> {
  const legacy = legacyDatabaseFile(config.database, config.stateDir);
  if (legacy && config.database.dialect === 'sqlite') {
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    throw new ConfigError(`数据库已移至 ${rel(config.stateDir)}/，旧库仍在 ${rel(legacy)}。
The database now lives in ${rel(config.stateDir)}/ (runtime state), apart from data/ (shipped reference data),
and the old one is still at ${rel(legacy)}. Either move it (with its -wal/-shm files):
  mkdir -p ${rel(config.stateDir)} && mv ${rel(legacy)}* ${rel(config.stateDir)}/
or keep it where it is:
  DATABASE_URL=sqlite:${rel(legacy)} npx zhihui …`);
  }
  return createRuntime(config, { log: consoleLogger });
}

export type RunnableCliEnv = CliEnv & { readonly io: CliIo; readonly exitCode: number };

/** The environment of a run: `io` for output (the process's by default). */
export function createCliEnv(io: CliIo = processIo): RunnableCliEnv {
  let exitCode = 0;
  return {
    io,
    get exitCode() {
      return exitCode;
    },
    async withRuntime(fn) {
      const rt = await openRuntime(loadConfig());
      try {
        return await fn(rt);
      } finally {
        await rt.close();
      }
    },
    print: io.out,
    warn: io.err,
    usageError(message) {
      throw new CliUsageError(message);
    },
    setExitCode(code) {
      exitCode = code;
    },
  };
}

/** Prints what went wrong and answers the exit code. */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CliUsageError) {
    io.err(`错误：${err.messages.zh}\nError: ${err.messages.en}`);
    return 2;
  }
  // commander has printed its message already (or the help, with exit code 0)
  if (err instanceof CommanderError) return err.exitCode;
  if (isAppError(err)) {
    io.err(
      `错误 ${err.code}: ${err.messages.zh}${err.fields.length ? `\n${err.fields.map((f) => `  ${f.field}: ${f.message.zh}`).join('\n')}` : ''}\nError: ${err.messages.en}`,
    );
    return 1;
  }
  if (err instanceof ConfigError) {
    io.err(`配置错误 Configuration error: ${err.message}`);
    return 1;
  }
  console.error(err);
  return 1;
}

/** Parses `argv` (node, script, args…) and runs the command: the exit code it asks for. */
export async function runProgram(
  program: { parseAsync(argv: string[]): Promise<unknown> },
  argv: string[],
  env: RunnableCliEnv,
): Promise<number> {
  try {
    await program.parseAsync(argv);
    return env.exitCode;
  } catch (err) {
    return reportError(err, env.io);
  }
}
