/**
 * `npm run -s fuelcard -- COMMAND ...`: the card stack's command line.
 * The command-line tools all live in this folder, one file per command (readers.ts over ccid/usb,
 * atr.ts over ccid/iso7816, decode.ts over ccid/fuelcard), each exporting
 * `run(args): Promise<number>` (the exit code); this file only dispatches. Exit code 2 means bad
 * usage or bad input. The folder may use the simulator (ccid/sim, for `readers --virtual`); the
 * layers it drives never import it.
 */

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  readers: { summary: 'list card readers (real ones over USB; --virtual adds the virtual reader)', load: () => import('./readers.ts') },
  atr: { summary: 'decode ATRs: atr HEX... [--json]', load: () => import('./atr.ts') },
  decode: { summary: 'decode an APDU trace: decode FILE [--json]', load: () => import('./decode.ts') },
};

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: npm run -s fuelcard -- COMMAND [ARGS]', '', 'commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    console.error(`unknown command: ${name}\n\n${usage()}`);
    return 2;
  }
  const module = await command.load();
  return module.run(args);
}

// A reader of our output that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));

export {};
