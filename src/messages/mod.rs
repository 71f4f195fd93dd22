//! Every message of the spec, generated from `messages/messages.json`. Being written.
