/**
 * The typed clients, address book lookup, log decoding and pool readers against our contracts,
 * deployed on anvil by the @lpts/contracts devnet deployer (`unit` profile).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { id, parseEther, Wallet, ZeroAddress } from 'ethers';
import { deployDevnet, type Devnet } from '@lpts/contracts';
import { startAnvil, type StartedAnvil } from '@lpts/testing';
import { loadAddressBook, parseAddressBook, resolveContracts, type ResolvedContracts } from './address-book/address-book';
import { getBlockNumbers } from './blocks/l1-block-number';
import { BondingManagerClient, DelegatorStatus, TranscoderStatus } from './clients/bonding-manager.client';
import { ControllerClient } from './clients/controller.client';
import { createLivepeerClients } from './clients/livepeer-clients';
import { LivepeerTokenClient } from './clients/livepeer-token.client';
import { MinterClient } from './clients/minter.client';
import { RoundsManagerClient } from './clients/rounds-manager.client';
import { ServiceRegistryClient } from './clients/service-registry.client';
import { TicketBrokerClient, type Ticket } from './clients/ticket-broker.client';
import { isChainError } from './errors/chain-error';
import { decodeLog, type DecodedLog } from './events/decode-log';
import { readActivePool, readActivePoolBatched, readActivePoolSequential, readActivePoolSingleCall } from './pool/pool-reader';
import { HttpRpcClient } from './rpc/http-rpc-client';
import { type RpcClient, RpcResponseError } from './rpc/rpc-client';
import { type TxResult, TxManager } from './tx/tx-manager';

interface TicketVector {
  name: string;
  inputs: { recipient: string; sender: string; faceValue: string; winProb: string; senderNonce: string; recipientRandHash: string };
  auxData: string;
  ticketHash: string;
}
/** Known-answer ticket hashes: the repo's copy of the shared vectors (fixtures/vectors/tickets.json). */
const vectors = (JSON.parse(readFileSync(join(__dirname, '../../../fixtures/vectors/tickets.json'), 'utf8')) as { ticketHash: TicketVector[] }).ticketHash;

const GWEI = 1_000_000_000n;

async function caught(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('chain clients against the devnet contracts', () => {
  let anvil: StartedAnvil;
  let devnet: Devnet;
  let rpc: HttpRpcClient;
  let resolved: ResolvedContracts;
  let tmp: string;

  const txFor = (i: number) => {
    const key = anvil.accounts[i]?.privateKey;
    if (!key) throw new Error(`account ${i}`);
    return new TxManager(rpc, new Wallet(key), { chainId: 31337n, gasPrice: { getGasPrice: async () => 2n * GWEI }, maxGasPrice: 50n * GWEI, pollMs: 20 });
  };
  const events = (r: TxResult): DecodedLog[] => r.receipt.logs.map((l) => decodeLog(l)).filter((e): e is DecodedLog => e !== undefined);

  beforeAll(async () => {
    anvil = await startAnvil();
    rpc = new HttpRpcClient(anvil.rpcUrl);
    tmp = mkdtempSync(join(tmpdir(), 'lpts-chain-'));
    devnet = await deployDevnet({
      rpcUrl: anvil.rpcUrl,
      deployerKey: anvil.accounts[0]?.privateKey ?? '',
      profile: 'unit',
      addressBookPath: join(tmp, 'devnet.json'),
      reuse: false,
    });
    resolved = await resolveContracts(rpc, loadAddressBook(join(tmp, 'devnet.json')));
  }, 60_000);
  afterAll(async () => {
    devnet?.provider.destroy();
    await anvil?.stop();
  });

  it('resolves every MUST name through the Controller and matches the deployer address book', () => {
    const c = devnet.book.contracts;
    expect(resolved.required).toEqual({
      LivepeerToken: c.LivepeerToken,
      ServiceRegistry: c.ServiceRegistry,
      BondingManager: c.BondingManager,
      TicketBroker: c.TicketBroker,
      RoundsManager: c.RoundsManager,
      Minter: c.Minter,
    });
    expect(resolved.optional).toEqual({});
    expect(resolved.aiServiceRegistry).toBe(c.AIServiceRegistry);
    expect(resolved.mismatches).toEqual([]);
  });

  it('reports a recorded address that differs from the Controller, and a wrong chain', async () => {
    const book = parseAddressBook({ ...devnet.book, contracts: { ...devnet.book.contracts, Minter: ZeroAddress.replace(/0$/, '1') } });
    const r = await resolveContracts(rpc, book);
    expect(r.mismatches).toEqual([{ name: 'Minter', recorded: '0x0000000000000000000000000000000000000001', resolved: devnet.book.contracts.Minter }]);
    const wrong = await caught(resolveContracts(rpc, { ...book, chainId: 42161n }));
    expect(isChainError(wrong, 'WRONG_CHAIN')).toBe(true);
  });

  it('fails with CONTRACT_NOT_REGISTERED when a MUST name is zero in the Controller', async () => {
    // Unregister Minter through the owner, then put it back.
    const ctl = devnet.contracts.controller;
    await (await ctl.getFunction('setContractInfo')(id('Minter'), ZeroAddress, '0x' + '00'.repeat(20))).wait();
    try {
      const err = await caught(resolveContracts(rpc, parseAddressBook(devnet.book)));
      expect(isChainError(err, 'CONTRACT_NOT_REGISTERED')).toBe(true);
      expect(isChainError(err) && err.details).toMatchObject({ name: 'Minter', controller: devnet.book.contracts.Controller });
    } finally {
      await (await ctl.getFunction('setContractInfo')(id('Minter'), devnet.book.contracts.Minter, '0x' + '00'.repeat(20))).wait();
    }
  });

  it('registers an orchestrator, rewards, and funds a sender through the typed clients, decoding the logs', async () => {
    const r = resolved.required;
    const deployerTx = txFor(0);
    const oTx = txFor(1);
    const gTx = txFor(2);
    const O = oTx.address;
    const G = gTx.address;
    const stake = parseEther('1000');

    const token = new LivepeerTokenClient(r.LivepeerToken, { rpc, tx: deployerTx });
    await token.transfer(O, stake);
    expect(await token.balanceOf(O)).toBe(stake);

    const controller = new ControllerClient(resolved.controller, { rpc });
    expect(await controller.paused()).toBe(false);
    expect(await controller.getContract('TicketBroker')).toBe(r.TicketBroker);
    expect(await controller.getContract('NoSuchContract')).toBe(ZeroAddress);

    const rm = new RoundsManagerClient(r.RoundsManager, { rpc, tx: deployerTx });
    const info = await rm.roundInfo();
    expect(info).toMatchObject({ initialized: true, locked: false, roundLength: 10n });

    const bm = new BondingManagerClient(r.BondingManager, { rpc, tx: oTx });
    await new LivepeerTokenClient(r.LivepeerToken, { rpc, tx: oTx }).approve(r.BondingManager, stake);
    const bond = events(await bm.bondWithHint(stake, O));
    expect(bond.map((e) => e.name)).toEqual(expect.arrayContaining(['Bond', 'TranscoderActivated']));
    const activated = bond.find((e) => e.name === 'TranscoderActivated');
    expect(activated).toMatchObject({ transcoder: O, activationRound: info.currentRound + 1n });
    expect(events(await bm.transcoder(100_000n, 500_000n))).toEqual([
      expect.objectContaining({ name: 'TranscoderUpdate', transcoder: O, rewardCut: 100_000n, feeShare: 500_000n }),
    ]);
    const sr = new ServiceRegistryClient(r.ServiceRegistry, { rpc, tx: oTx });
    expect(events(await sr.setServiceURI('https://127.0.0.1:8935'))).toEqual([
      expect.objectContaining({ name: 'ServiceURIUpdate', addr: O, serviceURI: 'https://127.0.0.1:8935' }),
    ]);
    expect(await sr.getServiceURI(O)).toBe('https://127.0.0.1:8935');
    expect(await bm.transcoderStatus(O)).toBe(TranscoderStatus.Registered);
    expect(await bm.delegatorStatus(O)).toBe(DelegatorStatus.Pending);
    expect(await bm.isActiveTranscoder(O)).toBe(false);
    expect(await bm.getDelegator(O)).toMatchObject({ bondedAmount: stake, delegateAddress: O, delegatedAmount: stake });

    // Next round: O becomes active and can call reward.
    const boundary = info.startBlock + info.roundLength;
    const { blockNumber } = await getBlockNumbers(rpc);
    await rpc.request('anvil_mine', ['0x' + (boundary - blockNumber).toString(16)]);
    const newRound = events(await rm.initializeRound());
    expect(newRound[0]).toMatchObject({ name: 'NewRound', round: info.currentRound + 1n });
    const round = await rm.currentRound();
    const nr = newRound[0];
    expect(nr?.name === 'NewRound' ? nr.blockHash : '').toBe(await rm.blockHashForRound(round));
    expect(await bm.isActiveTranscoder(O)).toBe(true);
    expect(await bm.getTotalBonded()).toBe(stake);
    expect(await bm.getTranscoder(O)).toMatchObject({ activationRound: round, rewardCut: 100_000n, feeShare: 500_000n });

    const minter = new MinterClient(r.Minter, { rpc });
    const mintable = await minter.currentMintableTokens();
    expect(mintable).toBeGreaterThan(0n);
    expect(await minter.targetBondingRate()).toBe(500_000_000n);
    expect([await minter.inflationChange(), await minter.currentMintedTokens()]).toEqual([500n, 0n]);
    const reward = events(await bm.rewardWithHint()).find((e) => e.name === 'Reward');
    expect(reward).toMatchObject({ transcoder: O });
    expect(await bm.transcoderTotalStake(O)).toBeGreaterThan(stake);
    const again = await caught(bm.rewardWithHint());
    expect(isChainError(again, 'REVERTED') && again.details['reason']).toBe('caller has already called reward for the current round');

    // Gateway funding.
    const tb = new TicketBrokerClient(r.TicketBroker, { rpc, tx: gTx });
    const funded = events(await tb.fundDepositAndReserve(parseEther('1'), parseEther('2')));
    expect(funded.map((e) => e.name).sort()).toEqual(['DepositFunded', 'ReserveFunded']);
    expect(await tb.getSenderInfo(G)).toEqual({
      sender: { deposit: parseEther('1'), withdrawRound: 0n },
      reserve: { fundsRemaining: parseEther('2'), claimedInCurrentRound: 0n },
    });
    expect(await tb.getReserveInfo(G)).toEqual({ fundsRemaining: parseEther('2'), claimedInCurrentRound: 0n });
    expect(await tb.claimableReserve(G, O)).toBe(parseEther('2')); // one active transcoder
    expect(await tb.claimedReserve(G, O)).toBe(0n);
    const noUnlock = await caught(tb.cancelUnlock());
    expect(isChainError(noUnlock, 'REVERTED') && noUnlock.details['reason']).toBe('no unlock request in progress');
    expect(events(await tb.unlock())).toEqual([expect.objectContaining({ name: 'Unlock', sender: G, startRound: round, endRound: round + 2n })]);
    expect(await tb.isUnlockInProgress(G)).toBe(true);
    expect(events(await tb.cancelUnlock())).toEqual([expect.objectContaining({ name: 'UnlockCancelled', sender: G })]);
    expect([await tb.unlockPeriod(), await tb.ticketValidityPeriod()]).toEqual([2n, 2n]);
  });

  it('hashes tickets as the known-answer vectors say', async () => {
    const tb = new TicketBrokerClient(resolved.required.TicketBroker, { rpc });
    for (const v of vectors) {
      const t: Ticket = {
        recipient: v.inputs.recipient,
        sender: v.inputs.sender,
        faceValue: BigInt(v.inputs.faceValue),
        winProb: BigInt(v.inputs.winProb),
        senderNonce: BigInt(v.inputs.senderNonce),
        recipientRandHash: v.inputs.recipientRandHash,
        auxData: v.auxData,
      };
      expect([v.name, await tb.getTicketHash(t)]).toEqual([v.name, v.ticketHash]);
    }
    expect(await tb.usedTickets(vectors[0]?.ticketHash ?? '')).toBe(false);
  });

  it('reads the same pool with the batched and the one-call-at-a-time readers', async () => {
    const addrs = { bondingManager: resolved.required.BondingManager, serviceRegistry: resolved.required.ServiceRegistry };
    const batched = await readActivePoolBatched(rpc, addrs);
    const sequential = await readActivePoolSequential(rpc, addrs, { blockNumber: batched.blockNumber });
    expect(batched.members).toEqual(sequential.members);
    expect(batched.members).toEqual([
      expect.objectContaining({ address: anvil.accounts[1]?.address, serviceURI: 'https://127.0.0.1:8935', active: true, status: 1 }),
    ]);
    expect(batched.roundTrips).toBeLessThan(sequential.roundTrips);
    const single = await readActivePoolSingleCall(rpc, addrs, { blockNumber: batched.blockNumber });
    expect(single.members).toEqual(batched.members);
    expect(single.roundTrips).toBe(1);
  });

  it('falls back to the batched reader when the endpoint rejects state overrides', async () => {
    const noOverrides: RpcClient = {
      request: (method, params) =>
        method === 'eth_call' && params.length > 2
          ? Promise.reject(new RpcResponseError(-32602, 'too many params', undefined, 'fake'))
          : rpc.request(method, params),
      batch: (calls) => rpc.batch(calls),
    };
    const addrs = { bondingManager: resolved.required.BondingManager, serviceRegistry: resolved.required.ServiceRegistry };
    const pool = await readActivePool(noOverrides, addrs);
    expect(pool.members).toHaveLength(1);
    expect(pool.roundTrips).toBe(5); // block number, rejected override, walk of 1 member (2 calls), one batch
    expect((await readActivePool(rpc, addrs)).roundTrips).toBe(2); // block number, one eth_call
  });

  it('builds every client from the resolved addresses, AIServiceRegistry separate from ServiceRegistry', async () => {
    const clients = createLivepeerClients(resolved, { rpc });
    expect(clients.bondingManager.address).toBe(resolved.required.BondingManager);
    expect(await clients.roundsManager.currentRoundInitialized()).toBe(true);
    expect(clients.aiServiceRegistry?.address).toBe(devnet.book.contracts.AIServiceRegistry);
    expect(await clients.aiServiceRegistry?.getServiceURI(anvil.accounts[1]?.address ?? '')).toBe('');
    expect(await clients.livepeerToken.totalSupply()).toBe(await clients.minter.getGlobalTotalSupply()); // supply + the reward minted above
  });

  it('falls back to the header block number on anvil (no l1BlockNumber field)', async () => {
    const b = await getBlockNumbers(rpc);
    expect(b.fromL1Field).toBe(false);
    expect(b.l1BlockNumber).toBe(b.blockNumber);
    expect(await new RoundsManagerClient(resolved.required.RoundsManager, { rpc }).blockNum()).toBe(b.blockNumber);
  });
});
