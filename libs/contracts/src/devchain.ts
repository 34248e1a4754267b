import { startAnvil, type StartedAnvil } from '@lpts/testing';
import { deployDevnet, type Devnet } from './deployer';
import { PROFILES, isProfileName, type ProfileName } from './profiles';

export interface DevchainOptions {
  /** anvil port; default a free one. */
  port?: number;
  profile?: ProfileName;
  /** Address book output path (also reused when it points at a live deployment). */
  out?: string;
  accounts?: number;
}

export interface Devchain {
  anvil: StartedAnvil;
  devnet: Devnet;
  stop(): Promise<void>;
}

/** Starts anvil with the profile's block production, deploys the devnet (§5 steps 0–13). */
export async function startDevchain(opts: DevchainOptions = {}): Promise<Devchain> {
  const profile = PROFILES[opts.profile ?? 'unit'];
  const anvil = await startAnvil({
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(profile.blockTime !== undefined ? { blockTime: profile.blockTime } : {}),
    accounts: opts.accounts ?? 20,
  });
  try {
    const deployerKey = anvil.accounts[0]?.privateKey;
    if (!deployerKey) throw new Error('anvil reported no dev accounts');
    const devnet = await deployDevnet({
      rpcUrl: anvil.rpcUrl,
      deployerKey,
      profile: profile.name,
      ...(opts.out !== undefined ? { addressBookPath: opts.out } : {}),
    });
    return {
      anvil,
      devnet,
      stop: async () => {
        devnet.provider.destroy();
        await anvil.stop();
      },
    };
  } catch (err) {
    await anvil.stop();
    throw err;
  }
}

/** Parses `--port <n> --profile unit|e2e --out <file>`. */
export function parseDevchainArgs(args: readonly string[]): DevchainOptions {
  const opts: DevchainOptions = {};
  // accept both `--flag value` and `--flag=value` (the form nx forwards)
  const words = args.flatMap((a) => (a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a]));
  for (let i = 0; i < words.length; i++) {
    const flag = words[i];
    const value = words[i + 1];
    if (flag === '--port' && value !== undefined) {
      opts.port = Number(value);
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`invalid --port ${value}`);
      i++;
    } else if (flag === '--profile' && value !== undefined) {
      if (!isProfileName(value)) throw new Error(`invalid --profile ${value} (unit|e2e)`);
      opts.profile = value;
      i++;
    } else if (flag === '--out' && value !== undefined) {
      opts.out = value;
      i++;
    } else {
      throw new Error(`unknown argument ${flag ?? ''}; usage: devchain [--port n] [--profile unit|e2e] [--out book.json]`);
    }
  }
  return opts;
}

/** CLI entry (`nx run contracts:devchain`): start, deploy, print the address book, run until SIGINT/SIGTERM. */
export async function main(args: readonly string[]): Promise<void> {
  const chain = await startDevchain(parseDevchainArgs(args));
  console.log(JSON.stringify({ rpcUrl: chain.anvil.rpcUrl, ...chain.devnet.book }, null, 2));
  await new Promise<void>((resolve) => {
    // signal listeners alone do not keep the event loop alive
    const keepAlive = setInterval(() => undefined, 60_000);
    const onSignal = (): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await chain.stop();
}
