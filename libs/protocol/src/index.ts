export * from './bytes/bytes';
export * from './crypto/keccak';
export * from './crypto/address';
export * from './crypto/secp256k1';
export * from './errors/lpts-error';
