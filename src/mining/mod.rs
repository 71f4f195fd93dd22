//! Mining protocol roles and the bitcoin arithmetic they need. Being written.
