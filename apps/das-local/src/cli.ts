// das-local --config <file.json>
import { ConfigError, loadConfig } from './config.ts';
import { FaultController } from './faults.ts';
import { RegistryKeyError } from './registry.ts';
import { createDasServer } from './server.ts';

function configPath(argv: string[]): string | undefined {
  const args = argv.filter((a) => a !== '--');
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config') return args[i + 1];
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return undefined;
}

async function main(): Promise<void> {
  const file = configPath(process.argv.slice(2));
  if (!file) {
    process.stderr.write('usage: das-local --config <file.json>\n');
    process.exit(2);
  }
  let config;
  try {
    config = loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`das-local: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let das;
  try {
    das = createDasServer({
      ...config.deps,
      ...(config.faults.enabled ? { faults: new FaultController(), faultsHttp: config.faults.http } : {}),
      ...(config.log ? { log: (line: Record<string, unknown>) => process.stderr.write(`${JSON.stringify(line)}\n`) } : {}),
    });
  } catch (err) {
    if (err instanceof RegistryKeyError) {
      process.stderr.write(`das-local: registry ${config.deps.registryPath}: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const { url } = await das.listen(config.listen.port, config.listen.host);
  process.stdout.write(`das-local listening on ${url}\n`);
  for (const inst of config.deps.instances) {
    const proxy = das.sqlLimitProxy(inst.instanceId);
    if (proxy) process.stdout.write(`das-local sql-limit proxy for ${inst.instanceId} on ${proxy.host}:${proxy.port}\n`);
  }
  if (config.deps.syntheticProcesses !== undefined) {
    process.stderr.write(`das-local: BENCH MODE: ListProcesses answers ${config.deps.syntheticProcesses} made-up threads, not MariaDB's (DAS_LOCAL_BENCH_SYNTHETIC_PROCESSES)\n`);
  }
  if (config.faults.enabled) process.stderr.write(`das-local: fault injection enabled${config.faults.http ? ' (HTTP control at /__das-local/faults)' : ''}\n`);
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    das.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`das-local: failed to start: ${err instanceof Error ? err.message : 'unknown error'}\n`);
  process.exit(1);
});
