import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import * as lp from '../gen/net/lp_rpc_pb';
import * as redeemer from '../gen/net/redeemer_pb';
import { WireError } from './wire.errors';
import { base64ErrorOffset, decodeBase64Strict, encodeBase64 } from './base64';

/**
 * Thin, typed encode/decode for one wire message (protobuf-es `create`/`toBinary`/`fromBinary`).
 * Every failure is a `WireError` naming the message, the input size and the problem.
 */
export interface WireCodec<Desc extends DescMessage> {
  readonly schema: Desc;
  /** Fully qualified protobuf name, e.g. `net.Payment`. */
  readonly typeName: string;
  create(init?: MessageInitShape<Desc>): MessageShape<Desc>;
  encode(message: MessageShape<Desc>): Uint8Array;
  decode(bytes: Uint8Array): MessageShape<Desc>;
  /** base64(protobuf) as sent in a header. */
  encodeBase64(message: MessageShape<Desc>): string;
  /** Strict base64 then protobuf. An empty string decodes to the empty message (as in Go). */
  decodeBase64(text: string): MessageShape<Desc>;
}

function problemOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

export function wireCodec<Desc extends DescMessage>(schema: Desc): WireCodec<Desc> {
  const typeName = schema.typeName;
  const decode = (bytes: Uint8Array): MessageShape<Desc> => {
    try {
      return fromBinary(schema, bytes);
    } catch (cause) {
      const problem = problemOf(cause);
      throw new WireError('PROTOBUF_DECODE', `protobuf unmarshal error: ${typeName} (${bytes.length} bytes): ${problem}`, {
        details: { message: typeName, byteLength: bytes.length, problem },
        cause,
      });
    }
  };
  const encode = (message: MessageShape<Desc>): Uint8Array => {
    try {
      return toBinary(schema, message);
    } catch (cause) {
      const problem = problemOf(cause);
      throw new WireError('PROTOBUF_ENCODE', `protobuf marshal error: ${typeName}: ${problem}`, {
        details: { message: typeName, problem },
        cause,
      });
    }
  };
  return {
    schema,
    typeName,
    create: (init) => create(schema, init),
    encode,
    decode,
    encodeBase64: (message) => encodeBase64(encode(message)),
    decodeBase64: (text) => {
      const bytes = decodeBase64Strict(text);
      if (bytes === undefined) {
        const offset = base64ErrorOffset(text);
        const problem = `illegal base64 data at input byte ${offset}`;
        throw new WireError('BASE64_DECODE', `base64 decode error: ${typeName} (${text.length} chars): ${problem}`, {
          details: { message: typeName, textLength: text.length, offset, problem },
        });
      }
      return decode(bytes);
    },
  };
}

/** One codec per wire message of `net/lp_rpc.proto` and `net/redeemer.proto` (PROTOCOL.md §1). */
export const WireCodecs = {
  PingPong: wireCodec(lp.PingPongSchema),
  EndTranscodingSessionRequest: wireCodec(lp.EndTranscodingSessionRequestSchema),
  EndTranscodingSessionResponse: wireCodec(lp.EndTranscodingSessionResponseSchema),
  OrchestratorRequest: wireCodec(lp.OrchestratorRequestSchema),
  OSInfo: wireCodec(lp.OSInfoSchema),
  S3OSInfo: wireCodec(lp.S3OSInfoSchema),
  PriceInfo: wireCodec(lp.PriceInfoSchema),
  Capabilities: wireCodec(lp.CapabilitiesSchema),
  Capabilities_Constraints: wireCodec(lp.Capabilities_ConstraintsSchema),
  Capabilities_CapabilityConstraints: wireCodec(lp.Capabilities_CapabilityConstraintsSchema),
  Capabilities_CapabilityConstraints_ModelConstraint: wireCodec(lp.Capabilities_CapabilityConstraints_ModelConstraintSchema),
  HardwareInformation: wireCodec(lp.HardwareInformationSchema),
  GPUComputeInfo: wireCodec(lp.GPUComputeInfoSchema),
  OrchestratorInfo: wireCodec(lp.OrchestratorInfoSchema),
  AuthToken: wireCodec(lp.AuthTokenSchema),
  SegData: wireCodec(lp.SegDataSchema),
  SegParameters: wireCodec(lp.SegParametersSchema),
  VideoProfile: wireCodec(lp.VideoProfileSchema),
  TranscodedSegmentData: wireCodec(lp.TranscodedSegmentDataSchema),
  TranscodeData: wireCodec(lp.TranscodeDataSchema),
  TranscodeResult: wireCodec(lp.TranscodeResultSchema),
  PaymentResult: wireCodec(lp.PaymentResultSchema),
  RegisterRequest: wireCodec(lp.RegisterRequestSchema),
  NotifySegment: wireCodec(lp.NotifySegmentSchema),
  RegisterAIWorkerRequest: wireCodec(lp.RegisterAIWorkerRequestSchema),
  AIJobData: wireCodec(lp.AIJobDataSchema),
  NotifyAIJob: wireCodec(lp.NotifyAIJobSchema),
  TicketParams: wireCodec(lp.TicketParamsSchema),
  TicketExpirationParams: wireCodec(lp.TicketExpirationParamsSchema),
  TicketSenderParams: wireCodec(lp.TicketSenderParamsSchema),
  Payment: wireCodec(lp.PaymentSchema),
  Ticket: wireCodec(redeemer.TicketSchema),
  QueueTicketRes: wireCodec(redeemer.QueueTicketResSchema),
  MaxFloatReq: wireCodec(redeemer.MaxFloatReqSchema),
  MaxFloatUpdate: wireCodec(redeemer.MaxFloatUpdateSchema),
} as const;
export type WireMessageName = keyof typeof WireCodecs;

/** HTTP header names of the segment/payment path (PROTOCOL.md §2.4). */
export const LivepeerHeader = {
  SEGMENT: 'Livepeer-Segment',
  PAYMENT: 'Livepeer-Payment',
} as const;

/** `Livepeer-Payment` value: base64(protobuf Payment). */
export function encodePaymentHeader(payment: lp.Payment): string {
  return WireCodecs.Payment.encodeBase64(payment);
}

/** Parses `Livepeer-Payment`. An empty header (offchain mode) gives an empty Payment, as in Go. */
export function decodePaymentHeader(header: string): lp.Payment {
  return WireCodecs.Payment.decodeBase64(header);
}

/** `Livepeer-Segment` value: base64(protobuf SegData), including `sig` and `auth_token`. */
export function encodeSegmentHeader(seg: lp.SegData): string {
  return WireCodecs.SegData.encodeBase64(seg);
}

/** Parses `Livepeer-Segment`. */
export function decodeSegmentHeader(header: string): lp.SegData {
  return WireCodecs.SegData.decodeBase64(header);
}
