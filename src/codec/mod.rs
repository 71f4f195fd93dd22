//! Wire data types and framing (spec 3.1, 3.2). Being written.
