/**
 * anvil's well-known development accounts (from its default mnemonic "test test … junk"). Public
 * knowledge: use them only on the embedded dev chain, never on a chain with real value.
 */
export const DEV_OPERATOR_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const DEV_OTHER_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const DEV_CHAIN_ID = 31337;
