import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalNetwork, printSummary, type Layout } from '@lpts/devnet';

export interface DevnetUpOptions {
  once: boolean;
  dir: string;
  root: string;
  seconds: number;
  layout: Layout;
}

/** `lpts devnet up`: start the local network, stream a test video, print the summary. */
export async function devnetUp(opts: DevnetUpOptions): Promise<number> {
  let net: LocalNetwork | undefined;
  try {
    net = await LocalNetwork.start({ dir: opts.dir, root: opts.root, layout: opts.layout });
    console.log(`[stream] ${opts.seconds} s test video → ${net.gatewayUrl}/live/devnet/ (ffmpeg, HLS over PUT)`);
    const streamed = await net.stream(opts.seconds, 'devnet');
    console.log('[settle] passing the ticket params expiry; settlement redeems the winning tickets');
    const summary = await net.settle('devnet', streamed.rssMb);
    printSummary(summary, { gatewayUrl: net.gatewayUrl, stream: 'devnet', dir: net.dir, chainRpc: net.rpcUrl, opsPorts: net.opsPorts });
    writeFileSync(join(net.dir, 'summary.json'), JSON.stringify(summary, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2));
    if (opts.once) return summary.ok ? 0 : 1;
    console.log('\nthe devnet keeps running; Ctrl-C stops everything');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    console.log('stopping…');
    return 0;
  } catch (e) {
    console.error(`devnet failed: ${(e as Error).message}`);
    return 1;
  } finally {
    await net?.stop();
  }
}
