/** DI tokens of the broker's own providers (built in bootstrap, before Nest starts). */
export const RECIPIENT_DEPS = Symbol('broker.recipient.deps');
export const SENDER_DEPS = Symbol('broker.sender.deps');
export const CHAIN_VIEW = Symbol('broker.chain.view');
