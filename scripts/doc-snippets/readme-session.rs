// README.md "Using the session": the body of a client's loop; `now_ms` and the received
// `bytes` come from the caller's clock and socket.
#![allow(unused_variables, unused_assignments, unreachable_code)]
@IMPORTS@

pub fn snippet(now_ms: u64, bytes: &[u8]) -> Result<(), sv2::session::SessionError> {
    let mut out = Vec::new();
    @SNIPPET@
}
