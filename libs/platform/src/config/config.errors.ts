import { LptsError, familyPredicate, registerErrorFamily } from '@lpts/protocol';

export type ConfigErrorCode = 'INVALID_CONFIG' | 'SECRET_FILE_UNREADABLE';

export class ConfigError extends LptsError<ConfigErrorCode> {}
registerErrorFamily(ConfigError);
export const isConfigError = familyPredicate(ConfigError);
