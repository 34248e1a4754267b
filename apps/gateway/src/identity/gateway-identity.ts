import { readFileSync } from 'node:fs';
import { readSecretFile } from '@lpts/platform';
import {
  addressFromPrivateKey,
  addressToBytes,
  addressesEqual,
  fromHex,
  signOrchestratorRequest,
  signSegmentCredentials,
  toChecksumAddress,
  type SegmentCredentials,
} from '@lpts/protocol';
import { Wallet } from 'ethers';
import { GatewayError } from '../common/gateway.errors';

/**
 * The gateway's ETH identity: signs OrchestratorRequest.sig and SegData.sig (§3.2–3.3).
 * Offchain mode: empty address and signatures, as Go without an ETH account.
 */
export class GatewayIdentity {
  private constructor(
    /** 20 bytes, or empty offchain. */
    readonly address: Uint8Array,
    private readonly privateKey: Uint8Array | undefined,
  ) {}

  static offchain(): GatewayIdentity {
    return new GatewayIdentity(new Uint8Array(0), undefined);
  }

  static fromPrivateKey(privateKey: Uint8Array): GatewayIdentity {
    return new GatewayIdentity(addressFromPrivateKey(privateKey), privateKey);
  }

  /** Decrypts the keystore once at start and checks it holds `expected`. */
  static async fromKeystore(keystoreFile: string, passwordFile: string, expected: string): Promise<GatewayIdentity> {
    const json = readFileSync(keystoreFile, 'utf8');
    const password = readSecretFile(passwordFile, 'gateway keystore password');
    let wallet;
    try {
      wallet = await Wallet.fromEncryptedJson(json, password);
    } catch (cause) {
      throw new GatewayError('BAD_REQUEST', `cannot decrypt gateway keystore ${keystoreFile}`, { details: { keystoreFile }, cause });
    }
    if (!addressesEqual(wallet.address, expected)) {
      throw new GatewayError('BAD_REQUEST', `keystore holds ${wallet.address}, GATEWAY_ADDRESS is ${toChecksumAddress(expected)}`, {
        details: { keystoreAddress: wallet.address, configured: expected },
      });
    }
    const id = GatewayIdentity.fromPrivateKey(fromHex(wallet.privateKey));
    if (!addressesEqual(id.address, addressToBytes(expected))) throw new GatewayError('BAD_REQUEST', 'keystore address mismatch');
    return id;
  }

  get offchain(): boolean {
    return this.privateKey === undefined;
  }

  /** EIP-55 text, or '' offchain. */
  get addressText(): string {
    return this.offchain ? '' : toChecksumAddress(this.address);
  }

  orchestratorRequestSig(): Uint8Array {
    return this.privateKey === undefined ? new Uint8Array(0) : signOrchestratorRequest(this.privateKey, this.address);
  }

  segmentSig(creds: SegmentCredentials): Uint8Array {
    return this.privateKey === undefined ? new Uint8Array(0) : signSegmentCredentials(this.privateKey, creds);
  }
}
