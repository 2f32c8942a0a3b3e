export {
  DnsUpdateClient,
  MAX_UDP_MESSAGE,
  type DnsUpdateClientOptions,
  type UpdateResponse,
} from './client.js';
export {
  DNS_UPDATE_ERROR_CODES,
  DnsUpdateError,
  isRetryableCode,
  rcodeToErrorCode,
  type DnsUpdateErrorCode,
  type DnsUpdateErrorInit,
} from './errors.js';
export { DEFAULT_TIMEOUT_MS, queryRecords, type QueryTarget } from './resolve.js';
export {
  DEFAULT_FUDGE_SECONDS,
  TSIG_ERROR,
  parseTsigKeyFile,
  readTsig,
  signMessage,
  verifyMessage,
  type SignedMessage,
  type TsigAlgorithm,
  type TsigKey,
  type TsigRecord,
  type TsigSignOptions,
  type TsigVerifyOptions,
  type TsigVerifyResult,
} from './tsig.js';
export {
  buildUpdateMessage,
  describePrerequisite,
  encodeRdata,
  randomMessageId,
  type Prerequisite,
  type RecordData,
  type RecordSpec,
  type RecordType,
  type ResourceRecord,
  type UpdateOperation,
  type UpdateRequest,
} from './updateMessage.js';
export { WireFormatError } from './wire.js';
