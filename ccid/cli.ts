/**
 * `npm run -s fuelcard -- COMMAND ...`: the card stack's command line.
 * Each command lives beside the layer it belongs to and exports `run(args): Promise<number>`
 * (the exit code); this file only dispatches. Exit code 2 means bad usage or bad input.
 */

type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  readers: { summary: 'list card readers (real ones over USB; --virtual adds the virtual reader)', load: () => import('./usb/cli.ts') },
  atr: { summary: 'decode ATRs: atr HEX... [--json]', load: () => import('./iso7816/cli.ts') },
  decode: { summary: 'decode an APDU trace: decode FILE [--json]', load: () => import('./fuelcard/cli.ts') },
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
