import 'reflect-metadata';
import { BrokerCommands, RecipientBrokerCommands, SenderBrokerCommands, type CommandDef } from '@lpts/protocol';
import { LptsRpcExceptionFilter, NatsRpcServer, ServiceRuntime, loadConfig } from '@lpts/platform';
import { NestFactory } from '@nestjs/core';
import type { INestMicroservice } from '@nestjs/common';
import type { z } from 'zod';
import { AppModule, type BrokerParts } from './app.module';
import { ChainStateView } from './chain/chain-state.view';
import { connectRedis } from './common/redis-connection';
import { hasRecipient, hasSender, ticketBrokerEnv, type TicketBrokerConfig } from './config/ticket-broker.env';
import { createRecipientDeps, type RecipientDeps } from './recipient/recipient.deps';
import type { RedisBalances } from './state/redis-balances';
import { loadKeystoreSigner } from './sender/keystore';
import { createSenderDeps, type SenderDeps } from './sender/sender.deps';

export const SERVICE = 'ticket-broker';
export const VERSION = '0.1.0';

/** How often idle balances (10-minute TTL) are swept; lazy expiry covers reads in between. */
const BALANCE_PRUNE_INTERVAL_MS = 60_000;

const CLOSE_STEP_MS = 2000;

function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export interface TicketBrokerApp {
  app: INestMicroservice;
  runtime: ServiceRuntime;
  config: TicketBrokerConfig;
  parts: BrokerParts;
  close(): Promise<void>;
}

/** Builds and starts the broker; main.ts and integration specs share it. */
export async function createApp(env: NodeJS.ProcessEnv): Promise<TicketBrokerApp> {
  const config = loadConfig(ticketBrokerEnv, env);
  // the keystore first: a bad key or password fails before anything connects
  const signer = hasSender(config)
    ? await loadKeystoreSigner(config.BROKER_KEYSTORE_FILE as string, config.BROKER_KEYSTORE_PASSWORD_FILE as string)
    : undefined;
  const runtime = await ServiceRuntime.start(SERVICE, VERSION, config);
  const cleanup: (() => Promise<unknown>)[] = [];
  const release = async () => {
    // each step gets a deadline: with Redis gone, a graceful quit or queue close would wait forever
    for (const f of cleanup.splice(0).reverse()) await withDeadline(f(), CLOSE_STEP_MS);
  };
  try {
    const chain = new ChainStateView(runtime.nats, config.NATS_SUBJECT_PREFIX, runtime.logger);
    await chain.start();
    cleanup.push(() => chain.stop());
    runtime.ops.addReadinessCheck('chain-state', () => (chain.ready ? true : `no chain state yet in KV bucket ${chain.bucket}`));

    // both sides keep their state in Redis (one connection when both run here)
    const redis = await connectRedis(config.REDIS_URL, `${SERVICE}:${runtime.identity.instance}`);
    cleanup.push(async () => (redis.status === 'ready' ? redis.quit() : redis.disconnect()));
    runtime.ops.addReadinessCheck('redis', () => (redis.status === 'ready' ? true : `redis ${redis.status}`));
    const balances: RedisBalances[] = [];

    let recipient: RecipientDeps | undefined;
    if (hasRecipient(config)) {
      const deps = await createRecipientDeps(redis, config);
      deps.winners.queue.on('error', (e: Error) => runtime.logger.warn({ err: e.message }, 'redemption queue: Redis error'));
      cleanup.push(() => deps.winners.close());
      recipient = deps;
      chain.onNewBlock((block) => {
        deps.nonces.prune(block).catch((e: unknown) => runtime.logger.warn({ err: (e as Error).message }, 'nonce prune failed'));
      });
      balances.push(deps.balances);
    }
    const sender: SenderDeps | undefined = signer === undefined ? undefined : createSenderDeps(redis, config, signer);
    if (sender) balances.push(sender.balances);
    const timer = setInterval(() => {
      for (const b of balances) b.prune().catch((e: unknown) => runtime.logger.warn({ err: (e as Error).message }, 'balance prune failed'));
    }, BALANCE_PRUNE_INTERVAL_MS);
    timer.unref();
    cleanup.push(async () => clearInterval(timer));

    const parts: BrokerParts = { chain, recipient, sender };
    const commands: CommandDef<z.ZodType, z.ZodType>[] = [
      ...Object.values(BrokerCommands),
      ...(recipient ? Object.values(RecipientBrokerCommands) : []),
      ...(sender ? Object.values(SenderBrokerCommands) : []),
    ];
    const app = await NestFactory.createMicroservice(AppModule.forRuntime(runtime, config, parts), {
      strategy: new NatsRpcServer({ connection: runtime.nats, prefix: config.NATS_SUBJECT_PREFIX, queue: SERVICE, commands }),
      logger: ['error', 'warn'],
    });
    app.useGlobalFilters(new LptsRpcExceptionFilter());
    await app.listen();
    runtime.ready();
    return {
      app,
      runtime,
      config,
      parts,
      close: async () => {
        await app.close();
        await release();
        await runtime.close();
      },
    };
  } catch (e) {
    await release();
    await runtime.close();
    throw e;
  }
}
