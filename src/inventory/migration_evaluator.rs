//! (being written) The migration_evaluator inventory reader.
