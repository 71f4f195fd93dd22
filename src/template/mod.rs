//! The Template Distribution protocol (spec §6): a [`TemplateProvider`] serving block
//! templates to pools and job negotiators, and the [`TemplateClient`] they use to receive
//! them, submit solutions and ask for a template's transactions. Both are sans-I/O like the
//! mining roles: the caller moves bytes, time and templates in and events and bytes out. Where
//! templates come from (Bitcoin Core's `getblocktemplate`, the synthetic source) is the
//! caller's business; [`BlockTemplate`] is what it hands over.

mod block;
mod client;
mod provider;
mod synthetic;
mod tx;

pub use block::{
    hex_be, witness_commitment_script, AssembledBlock, BlockTemplate, TemplateError,
    TemplateVariant, COINBASE_SIGOPS_RESERVE, MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT,
    MAX_COINBASE_SCRIPT_SIG, WITNESS_RESERVED_VALUE,
};
pub use client::{TemplateClient, TemplateClientConfig, TemplateClientEvent};
pub use provider::{
    ProviderConfig, ProviderError, ProviderEvent, ProviderStats, TemplateProvider, TemplateUpdate,
    ERROR_STALE_TEMPLATE_ID, ERROR_TEMPLATE_ID_NOT_FOUND,
};
pub use synthetic::SyntheticBlockSource;
pub use tx::{parse_tx, TemplateTransaction, TxError, TxShape};
