/**
 * carehub command line. Composition only: each command lives in src/cli/. Exit codes:
 * 0 success, 1 runtime failure (and a rejected frame in `decode`), 2 bad usage or invalid config.
 */
import { Command, CommanderError, Option } from 'commander';
import { CliExit, EXIT_FAILURE, EXIT_USAGE } from './cli/exit.js';
import { VERSION } from './version.js';

const program = new Command();
program
  .name('carehub')
  .description('Home hub for CGM, pulse oximeters and home ventilators: local alarms, durable store, MQTT uplink.\nNot a certified medical device.')
  .version(VERSION)
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

const collect = (v: string, prev: string[]): string[] => [...prev, v];

program
  .command('run')
  .description('run the service (what systemd starts)')
  .option('--config <file>', 'config file (default $CAREHUB_CONFIG or /etc/carehub/carehub.yaml)')
  .option('--duration <seconds>', 'stop after this many seconds (tests, rigs)', parseSeconds)
  .action(async (o: { config?: string; duration?: number }) => {
    const { runCommand } = await import('./cli/run.js');
    process.exitCode = await runCommand(o);
  });

program
  .command('demo')
  .description('everything on this machine: simulated devices, embedded broker, live view')
  .option('--duration <seconds>', 'stop by itself after this many seconds (exit 0)', parseSeconds)
  .option('--scenario <name>', 'oximeter scenario (desaturation, normal, finger-out, out-of-range)', 'desaturation')
  .option('--json', 'print readings and alarms as JSON lines')
  .action(async (o: { duration?: number; scenario: string; json?: boolean }) => {
    const { demoCommand } = await import('./cli/demo.js');
    process.exitCode = await demoCommand(o);
  });

program
  .command('check-config')
  .description('validate a config file; prints every problem with its path')
  .argument('<file>')
  .option('--json', 'JSON output')
  .action(async (file: string, o: { json?: boolean }) => {
    const { checkConfigCommand } = await import('./cli/check-config.js');
    process.exitCode = checkConfigCommand(file, o);
  });

program
  .command('decode')
  .description('decode one captured payload: carehub decode CODEC HEX...')
  .argument('<codec>')
  .argument('<hex...>')
  .addOption(new Option('--crc <variant>', 'CGM E2E-CRC: mcrf4xx | ccitt-false | none'))
  .option('--quirk <name>', 'device quirk, e.g. warning-first (repeatable)', collect, [] as string[])
  .option('--json', 'JSON output (always JSON)')
  .action(async (codec: string, hex: string[], o: { crc?: string; quirk: string[] }) => {
    const { decodeCommand } = await import('./cli/decode.js');
    process.exitCode = decodeCommand(codec, hex, o);
  });
// `decode --help` lists the codec registry and its quirks, loaded only when `decode` is invoked.
program.hook('preSubcommand', async (_p, sub) => {
  if (sub.name() === 'decode') sub.addHelpText('after', (await import('./cli/decode.js')).decodeHelpText());
});

program
  .command('scan')
  .description('BLE scan: supported devices with kind, address, name, RSSI, services')
  .option('--seconds <n>', 'scan duration', (v) => parseSeconds(v), 10)
  .option('--json', 'JSON output')
  .option('--config <file>', 'config file, for ble.bindings and ble.adapter (default $CAREHUB_CONFIG or /etc/carehub/carehub.yaml)')
  .action(async (o: { seconds: number; json?: boolean; config?: string }) => {
    const { scanCommand } = await import('./cli/scan.js');
    process.exitCode = await scanCommand(o);
  });

program
  .command('pair')
  .description('add a device to this hub: carehub pair KIND ADDRESS_OR_PATH [--id ID]')
  .argument('<kind>', 'cgm | oximeter | ventilator')
  .argument('<address-or-path>', 'Bluetooth address, serial path or tcp://host:port')
  .option('--id <id>', 'device id (default: next free cgm-N / oxi-N / vent-N)')
  .option('--protocol <protocol>', 'driver: cgms | plxs | berrymed | medibus (default by kind)')
  .option('--config <file>', 'config file (default $CAREHUB_CONFIG or /etc/carehub/carehub.yaml)')
  .option('--passkey <digits>', 'the 6-digit passkey the sensor shows (BlueZ mode; asked on a terminal when needed; never stored)')
  .option('--json', 'JSON output')
  .action(async (kind: string, target: string, o: { id?: string; protocol?: string; config?: string; json?: boolean; passkey?: string }) => {
    const { pairDeviceCommand } = await import('./cli/pair-bluez.js');
    process.exitCode = await pairDeviceCommand(kind, target, o);
  });

program
  .command('unpair')
  .description('remove a device from this hub')
  .argument('<id>')
  .option('--config <file>', 'config file')
  .option('--json', 'JSON output')
  .action(async (id: string, o: { config?: string; json?: boolean }) => {
    const { unpairDeviceCommand } = await import('./cli/pair-bluez.js');
    process.exitCode = await unpairDeviceCommand(id, o);
  });

program
  .command('console-password')
  .description('set the technician console password (read from the terminal or one line on stdin)')
  .option('--role <role>', 'technician (may act) or viewer (read-only)', 'technician')
  .option('--remove', 'remove the password of this role')
  .option('--config <file>', 'config file (default $CAREHUB_CONFIG or /etc/carehub/carehub.yaml)')
  .action(async (o: { role?: string; remove?: boolean; config?: string }) => {
    const { consolePasswordCommand } = await import('./cli/console-password.js');
    process.exitCode = await consolePasswordCommand(o);
  });

program
  .command('status')
  .description('ask the running service: devices, last readings, outbox, uplink, alarms, clock')
  .option('--json', 'JSON output')
  .option('--socket <path>', 'control socket (default from the config)')
  .option('--config <file>', 'config file, to find the control socket')
  .action(async (o: { json?: boolean; socket?: string; config?: string }) => {
    const { statusCommand } = await import('./cli/control-commands.js');
    process.exitCode = await statusCommand(o);
  });

const alarms = program
  .command('alarms')
  .description('list active alarms of the running service')
  .option('--json', 'JSON output')
  .option('--socket <path>', 'control socket')
  .option('--config <file>', 'config file, to find the control socket')
  .action(async (o: { json?: boolean; socket?: string; config?: string }) => {
    const { alarmsListCommand } = await import('./cli/control-commands.js');
    process.exitCode = await alarmsListCommand(o);
  });
alarms
  .command('ack')
  .description('acknowledge an alarm (silences its audio)')
  .argument('<id>')
  .option('--json', 'JSON output')
  .option('--socket <path>', 'control socket')
  .option('--config <file>', 'config file, to find the control socket')
  .action(async (id: string, _o: unknown, cmd: Command) => {
    // --socket/--config may be given before or after `ack`: the parent `alarms` owns them too.
    const o = cmd.optsWithGlobals<{ json?: boolean; socket?: string; config?: string }>();
    const { alarmsAckCommand } = await import('./cli/control-commands.js');
    process.exitCode = await alarmsAckCommand(id, o);
  });

program
  .command('alarm-test')
  .description('sound every alarm priority once on the running hub')
  .option('--json', 'JSON output')
  .option('--socket <path>', 'control socket')
  .option('--config <file>', 'config file, to find the control socket')
  .action(async (o: { json?: boolean; socket?: string; config?: string }) => {
    const { alarmTestCommand } = await import('./cli/control-commands.js');
    process.exitCode = await alarmTestCommand(o);
  });

program
  .command('diag')
  .description('write a diagnostics bundle (tar.gz) without patient data or keys, for a technician')
  .option('--out <file>', 'bundle file (default carehub-diag-<hub>-<time>.tar.gz here)')
  .option('--config <file>', 'config file (default $CAREHUB_CONFIG or /etc/carehub/carehub.yaml)')
  .action(async (o: { out?: string; config?: string }) => {
    const { diagCommand } = await import('./cli/diag.js');
    process.exitCode = await diagCommand(o);
  });

program
  .command('simulate')
  .description('run a device simulator for rigs, speaking the real wire protocol')
  .argument('<kind>', 'cgm | oximeter | ventilator')
  .option('--serial <path>', 'serve on this serial port (ventilator)')
  .option('--tcp <port>', 'serve on this TCP port (ventilator)', (v) => Number(v))
  .option('--scenario <name>', 'scenario name', 'normal')
  .option('--duration <seconds>', 'stop after this many seconds', parseSeconds)
  .action(async (kind: string, o: { serial?: string; tcp?: number; scenario: string; duration?: number }) => {
    const { simulateCommand } = await import('./cli/simulate.js');
    process.exitCode = await simulateCommand(kind, o);
  });

program
  .command('rig')
  .description('run a rig scenario file against a hub and check what reaches the broker (docs/RIG.md)')
  .argument('<file>', 'scenario YAML file')
  .option('--json', 'one JSON report instead of PASS/FAIL lines')
  .option('--keep', 'keep the run directory (hub config, database, hub log) even when everything passed')
  .option('--verbose', 'log the timeline and the rig\'s own steps to stderr')
  .action(async (file: string, o: { json?: boolean; keep?: boolean; verbose?: boolean }) => {
    const { rigCommand } = await import('./cli/rig.js');
    process.exitCode = await rigCommand(file, o);
  });

function parseSeconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new CliExit(EXIT_USAGE, `not a positive number of seconds: ${v}`);
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (err instanceof CliExit) {
    process.stderr.write(`carehub: ${err.message}\n`);
    process.exitCode = err.code;
  } else {
    process.stderr.write(`carehub: ${(err as Error).message}\n`);
    process.exitCode = EXIT_FAILURE;
  }
}
